#include "app/workbench/mri_worker.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <algorithm>
#include <cmath>

#include "app/workbench/tensor_to_plain.h"
#include "core/common/error.h"
#include "core/mri/fft.h"
#include "core/mri/io/volume_io.h"
#include "core/mri/mask.h"
#include "core/mri/metrics.h"
#include "core/mri/recon/recon_method.h"
#include "core/mri/simulate.h"
#include "core/mri/study.h"

namespace qs::workbench {
namespace {

// Coronal and sagittal slices are drawn with the head up (the slice axis runs bottom to top).
bool flips_rows(int plane) { return plane != 0; }

// (S, H, W) -> the plane's (slices, rows, cols), as plane_slice draws it.
at::Tensor plane_tensor(const at::Tensor& vol, int plane) {
  at::Tensor t = plane == 0 ? vol : plane == 1 ? vol.permute({1, 0, 2}) : vol.permute({2, 0, 1});
  if (flips_rows(plane)) t = t.flip({1});
  return t.contiguous();
}

std::string text(const QString& s) { return s.toStdString(); }

qs::mri::MaskSpec mask_spec(const MriMaskRequest& r) {
  qs::mri::MaskSpec spec;
  spec.type = text(r.type);
  spec.acceleration = r.acceleration;
  spec.center_fraction = r.center_fraction;
  spec.seed = r.seed;
  return spec;
}

}  // namespace

std::vector<MriMethodInfo> mri_methods() {
  std::vector<MriMethodInfo> out;
  for (const auto& name : qs::mri::recon_methods()) {
    const auto& entry = qs::mri::recon_registry().get(name);
    MriMethodInfo info;
    info.name = QString::fromStdString(name);
    info.description = QString::fromStdString(entry.description);
    for (const auto& o : entry.factory()->options())
      info.options.push_back({QString::fromStdString(o.name), QString::fromStdString(o.default_value), QString::fromStdString(o.help)});
    out.push_back(std::move(info));
  }
  return out;
}

Stack plane_stack_shape(const Stack& v, int plane) {
  Stack s;
  s.slices = plane == 0 ? v.slices : plane == 1 ? v.rows : v.cols;
  s.rows = plane == 0 ? v.rows : v.slices;
  s.cols = plane == 2 ? v.rows : v.cols;
  return s;
}

Grid plane_slice(const Stack& v, int plane, int index) {
  const Stack shape = plane_stack_shape(v, plane);
  Grid g(shape.rows, shape.cols);
  if (index < 0 || index >= shape.slices) return Grid();
  for (int64_t r = 0; r < shape.rows; ++r) {
    const int64_t rr = flips_rows(plane) ? shape.rows - 1 - r : r;
    for (int64_t c = 0; c < shape.cols; ++c) {
      float value = 0;
      if (plane == 0) value = v.at(index, rr, c);
      else if (plane == 1) value = v.at(rr, index, c);
      else value = v.at(rr, c, index);
      g.at(r, c) = value;
    }
  }
  return g;
}

double plane_aspect(const Stack& v, int plane) {
  const double sx = v.spacing[0], sy = v.spacing[1], sz = v.spacing[2];
  if (plane == 0) return sy / sx;
  return plane == 1 ? sz / sx : sz / sy;
}

struct MriWorker::State {
  at::Tensor volume;  // (S, H, W) float32 magnitude
  qs::mri::Geometry geometry;
  // A finished run's images, method -> (N, rows, cols) in its plane's order.
  struct Saved {
    std::map<QString, at::Tensor> images;
    int plane = 0;
  };
  Saved stack, slice;  // the last finished whole-stack run and the last one-slice run
};

MriWorker::MriWorker() = default;
MriWorker::~MriWorker() = default;

void MriWorker::loadVolume(const QString& path) {
  try {
    if (!QFileInfo::exists(path)) fail(ErrorKind::kIo, "no such file: '" + text(path) + "'");
    qs::mri::Volume v = qs::mri::read_volume(text(path));
    at::Tensor mag = (v.data.is_complex() ? at::abs(v.data) : v.data).to(at::kCPU, at::kFloat).contiguous();
    if (mag.dim() != 3 || mag.numel() == 0) fail(ErrorKind::kInvalidArgument, "'" + text(path) + "' is not a 3-D image volume");
    qs::mri::check_finite(mag, "volume '" + text(path) + "'");
    auto s = std::make_unique<State>();
    s->volume = mag;
    s->geometry = v.geometry;
    MriVolumeInfo info;
    info.path = path;
    info.format = QString::fromStdString(v.format);
    info.stack.slices = mag.size(0), info.stack.rows = mag.size(1), info.stack.cols = mag.size(2);
    for (int i = 0; i < 3; ++i) info.stack.spacing[i] = v.geometry.spacing[size_t(i)];
    info.stack.values.assign(mag.data_ptr<float>(), mag.data_ptr<float>() + mag.numel());
    state_ = std::move(s);
    Q_EMIT volumeLoaded(info);
  } catch (const std::exception& e) {
    Q_EMIT failed(QString::fromStdString(first_line(e.what())));
  }
}

void MriWorker::makeMask(const MriMaskRequest& r) {
  if (!state_) return;
  try {
    const at::Tensor stack = plane_tensor(state_->volume, r.plane);
    const int64_t h = stack.size(1), w = stack.size(2);
    const at::Tensor mask = qs::mri::make_mask(mask_spec(r), h, w);
    const int64_t index = std::clamp<int64_t>(r.slice, 0, stack.size(0) - 1);
    const at::Tensor k = qs::mri::fft2c(stack[index]);
    MriMaskPicture p;
    p.mask = grid_from_tensor(mask);
    p.log_kspace = grid_from_tensor(at::log1p(at::abs(qs::mri::apply_mask(k, mask))));
    p.sampled_fraction = qs::mri::sampled_fraction(mask);
    Q_EMIT maskReady(p);
  } catch (const std::exception& e) {
    Q_EMIT failed(QString::fromStdString(first_line(e.what())));
  }
}

void MriWorker::run(const MriRunRequest& r) {
  // The token was reset by the GUI thread when it queued this run (resetCancel), so a Cancel
  // pressed before the worker picks the run up is not lost.
  if (!state_) {
    Q_EMIT failed(tr("Open a volume first."));
    return;
  }
  try {
    const at::Tensor stack = plane_tensor(state_->volume, r.mask.plane);
    const int64_t n = stack.size(0);
    std::vector<int64_t> indices;
    if (r.whole_stack) {
      for (int64_t i = 0; i < n; ++i) indices.push_back(i);
    } else {
      indices.push_back(std::clamp<int64_t>(r.mask.slice, 0, n - 1));
    }
    const int64_t count = int64_t(indices.size());
    // Simulated and reconstructed kChunk slices at a time, so progress moves and Cancel is seen
    // between chunks (a whole stack takes seconds to simulate), even for a method that never
    // looks at the token.
    constexpr int64_t kChunk = 16;
    qs::mri::SimulationOptions sim;  // single coil, no phase: the target is the image itself
    std::vector<at::Tensor> kspace, targets;
    for (int64_t from = 0; from < count; from += kChunk) {
      cancel_.check();
      const std::vector<int64_t> part(indices.begin() + from, indices.begin() + std::min<int64_t>(count, from + kChunk));
      const qs::mri::Scan s = qs::mri::simulate_scan(stack.index_select(0, at::tensor(part, at::kLong)), sim);
      kspace.push_back(s.kspace);
      targets.push_back(s.target);
    }
    qs::mri::Scan scan;
    scan.kspace = at::cat(kspace, 0);
    scan.target = at::cat(targets, 0);
    std::vector<qs::mri::StudyMethod> methods;
    for (const QString& method : r.methods) {
      qs::mri::ReconOptions options;
      if (auto it = r.options.find(method); it != r.options.end()) options = qs::mri::ReconOptions(it->second);
      methods.push_back({text(method), options});
    }
    // The same study `mri compare` runs.
    qs::mri::StudyOptions so;
    so.chunk = kChunk;
    so.keep_images = true;
    QElapsedTimer since_report;
    since_report.start();
    auto report = [&](double fraction, const std::string& what) {
      if (since_report.elapsed() < 50 && fraction < 1) return;
      since_report.restart();
      Q_EMIT progress(fraction, QString::fromStdString(what));
    };
    const std::vector<qs::mri::StudyRun> runs = qs::mri::run_study(scan, {mask_spec(r.mask)}, methods, so, report, cancel_);

    MriRunResult out;
    out.plane = r.mask.plane;
    out.whole_stack = r.whole_stack;
    out.mask = r.mask;
    const at::Tensor target = scan.target.to(at::kFloat);
    for (int64_t i = 0; i < count; ++i) {
      out.slices.push_back(int(indices[size_t(i)]));
      out.targets[int(indices[size_t(i)])] = grid_from_tensor(target[i]);
    }
    std::vector<at::Tensor> errors;
    std::map<QString, at::Tensor> kept;
    for (const qs::mri::StudyRun& run : runs) {
      const QString method = QString::fromStdString(run.method);
      errors.push_back((run.image - target).abs().flatten());
      kept[method] = run.image;
      MriMethodResult m;
      m.method = method;
      m.seconds = run.seconds_per_slice * double(count);
      m.metrics = {run.metrics.psnr, run.metrics.ssim, run.metrics.nmse};
      out.data_range = run.metrics.data_range;
      for (int64_t i = 0; i < count; ++i) {
        m.images[int(indices[size_t(i)])] = grid_from_tensor(run.image[i]);
        const auto& sm = run.metrics.slices[size_t(i)];
        m.slice_metrics[int(indices[size_t(i)])] = {sm.psnr, sm.ssim, sm.nmse};
      }
      out.methods.push_back(std::move(m));
    }
    // On a sample when large: a display scale needs no exact quantile over 10^8 values.
    at::Tensor all = at::cat(errors);
    if (all.numel() > 4000000) all = all.index_select(0, at::randperm(all.numel(), at::kLong).narrow(0, 0, 4000000));
    const double scale = all.numel() > 0 ? at::quantile(all.to(at::kDouble), 0.995).item<double>() : 0.0;
    out.error_scale = scale > 0 ? scale : 1.0;
    // Only a finished run replaces what Save Result... writes (a cancelled or failed one keeps
    // the results still on screen), and a one-slice run never replaces a whole-stack result.
    (r.whole_stack ? state_->stack : state_->slice) = {std::move(kept), r.mask.plane};
    Q_EMIT finished(out);
  } catch (const std::exception& e) {
    Q_EMIT failed(QString::fromStdString(first_line(e.what())));
  }
}

void MriWorker::saveResult(const QString& method, const QString& path, bool force) {
  try {
    // The whole-stack result when there is one for the method, else the one-slice result.
    const State::Saved* run = !state_ ? nullptr : state_->stack.images.count(method) ? &state_->stack : &state_->slice;
    if (!run || !run->images.count(method)) fail(ErrorKind::kInvalidArgument, "no result for '" + text(method) + "' yet: run it first");
    qs::mri::Volume v;
    v.data = run->images.at(method);
    // The stack is in the plane's (slices, rows, cols) order: spacing follows it.
    const auto& s = state_->geometry.spacing;
    const int p = run->plane;
    v.geometry.spacing = p == 0 ? std::array<double, 3>{s[0], s[1], s[2]} : p == 1 ? std::array<double, 3>{s[0], s[2], s[1]} : std::array<double, 3>{s[1], s[2], s[0]};
    qs::mri::WriteOptions o;
    o.force = force;
    qs::mri::write_volume(text(path), v, o);
    Q_EMIT saved(path);
  } catch (const std::exception& e) {
    Q_EMIT failed(QString::fromStdString(first_line(e.what())));
  }
}

}  // namespace qs::workbench
