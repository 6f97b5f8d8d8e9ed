#include "app/models/slice_sync.h"

#include <algorithm>

namespace qs::workbench {

const char* plane_name(Plane p) {
  switch (p) {
    case Plane::kAxial: return "axial";
    case Plane::kCoronal: return "coronal";
    case Plane::kSagittal: return "sagittal";
  }
  return "?";
}

void SliceSync::setExtent(int axial, int coronal, int sagittal) {
  extent_ = {axial, coronal, sagittal};
  for (int i = 0; i < 3; ++i) slice_[i] = extent_[i] / 2;  // start in the middle, as viewers do
  Q_EMIT sliceChanged();
}

void SliceSync::setPlane(Plane p) {
  if (p == plane_) return;
  plane_ = p;
  pan_ = {};
  Q_EMIT sliceChanged();
}

void SliceSync::setSlice(int s) {
  const int n = extent_[index(plane_)];
  s = n > 0 ? std::clamp(s, 0, n - 1) : 0;
  if (s == slice_[index(plane_)]) return;
  slice_[index(plane_)] = s;
  Q_EMIT sliceChanged();
}

void SliceSync::setZoom(double z) {
  z = std::clamp(z, 0.25, 32.0);
  if (z == zoom_) return;
  zoom_ = z;
  Q_EMIT viewChanged();
}

void SliceSync::setPan(QPointF p) {
  if (p == pan_) return;
  pan_ = p;
  Q_EMIT viewChanged();
}

void SliceSync::setWindowLevel(double window, double level) {
  window = std::max(window, 1e-6);
  if (window == window_ && level == level_) return;
  window_ = window;
  level_ = level;
  Q_EMIT viewChanged();
}

void SliceSync::resetView() {
  zoom_ = 1.0;
  pan_ = {};
  Q_EMIT viewChanged();
}

}  // namespace qs::workbench
