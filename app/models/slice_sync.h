// The one owner of what synchronized image views show, in the spirit of ITK-SNAP's
// coordinator: plane, slice per plane, zoom, pan and window/level. Views never talk to each
// other; they ask this model for a change and redraw when it says something changed.
#pragma once
#include <QObject>
#include <QPointF>
#include <array>

namespace qs::workbench {

enum class Plane { kAxial = 0, kCoronal = 1, kSagittal = 2 };

class SliceSync : public QObject {
  Q_OBJECT
 public:
  explicit SliceSync(QObject* parent = nullptr) : QObject(parent) {}

  // Slices available per plane (0 until a volume is set).
  void setExtent(int axial, int coronal, int sagittal);
  int sliceCount(Plane p) const { return extent_[index(p)]; }

  Plane plane() const { return plane_; }
  int slice() const { return slice_[index(plane_)]; }
  double zoom() const { return zoom_; }
  QPointF pan() const { return pan_; }  // image pixels the view centre is shifted by
  double window() const { return window_; }
  double level() const { return level_; }
  double low() const { return level_ - window_ / 2; }
  double high() const { return level_ + window_ / 2; }

  void setPlane(Plane p);
  void setSlice(int s);  // clamped to the plane's range
  void stepSlice(int delta) { setSlice(slice() + delta); }
  void setZoom(double z);  // clamped to [0.25, 32]
  void zoomBy(double factor) { setZoom(zoom_ * factor); }
  void setPan(QPointF p);
  void panBy(QPointF d) { setPan(pan_ + d); }
  void setWindowLevel(double window, double level);  // window >= a tiny positive value
  void resetView();  // zoom 1, no pan

 Q_SIGNALS:
  void sliceChanged();  // plane or slice: the displayed data changes
  void viewChanged();   // zoom, pan, window/level: same data, drawn differently

 private:
  static int index(Plane p) { return static_cast<int>(p); }
  std::array<int, 3> extent_{0, 0, 0};
  std::array<int, 3> slice_{0, 0, 0};
  Plane plane_ = Plane::kAxial;
  double zoom_ = 1.0;
  QPointF pan_;
  double window_ = 1.0, level_ = 0.5;
};

const char* plane_name(Plane p);

}  // namespace qs::workbench
