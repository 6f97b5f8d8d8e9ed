// Runs the MRI engine on its own thread for the MRI workspace: loads a volume, builds the
// mask and k-space picture for the current plane, reconstructs the current slice or the whole
// stack with the checked methods, and scores them. Cancel is a shared token the GUI thread may
// set at any time; results travel back as plain grids through queued signals.
#pragma once
#include <QObject>
#include <QString>
#include <QStringList>
#include <array>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "app/workbench/engine_worker.h"
#include "core/common/grid.h"

namespace qs::workbench {

struct MriVolumeInfo {
  QString path, format;
  Stack stack;  // magnitude (S, H, W) as ITK index (z, y, x)
};

struct MriMaskRequest {
  QString type = "random";
  double acceleration = 4.0;
  double center_fraction = -1;  // < 0: fastMRI's default for the acceleration
  qulonglong seed = 0;
  int plane = 0, slice = 0;
};

struct MriMaskPicture {
  Grid mask, log_kspace;
  double sampled_fraction = 0;
};

struct MriRunRequest {
  MriMaskRequest mask;
  QStringList methods;
  std::map<QString, std::map<std::string, std::string>> options;  // per method, name=value
  bool whole_stack = false;  // every slice of the plane, else mask.slice only
};

// fastMRI's metrics; PSNR's data range is the target's maximum over the slices scored together.
struct MriScores {
  double psnr = 0, ssim = 0, nmse = 0;
};

struct MriMethodResult {
  QString method;
  std::map<int, Grid> images;  // reconstructed magnitude per slice index
  double seconds = 0;
  MriScores metrics;  // over the reconstructed slices (fastMRI's volume metrics)
  std::map<int, MriScores> slice_metrics;  // each slice, with the run's data range
};

struct MriRunResult {
  int plane = 0;
  bool whole_stack = false;
  MriMaskRequest mask;
  double data_range = 0;  // the PSNR's data range: the target's maximum over the run's slices
  std::vector<int> slices;
  std::map<int, Grid> targets;
  std::vector<MriMethodResult> methods;
  double error_scale = 1;  // one colour scale for every error map: 99.5th percentile of all |recon - target|
};

struct MriMethodInfo {
  QString name, description;
  std::vector<std::array<QString, 3>> options;  // name, default, help
};
// What the reconstruction registry holds, for the method checklist.
std::vector<MriMethodInfo> mri_methods();

// Planes of an (S, H, W) stack as (slices, rows, cols) with rows drawn top to bottom.
Stack plane_stack_shape(const Stack& volume, int plane);
Grid plane_slice(const Stack& volume, int plane, int index);
// Row spacing / column spacing of a plane's slices.
double plane_aspect(const Stack& volume, int plane);

class MriWorker : public EngineWorker {
  Q_OBJECT
 public:
  MriWorker();
  ~MriWorker() override;

 public Q_SLOTS:
  void loadVolume(const QString& path);
  void makeMask(const qs::workbench::MriMaskRequest& request);
  void run(const qs::workbench::MriRunRequest& request);
  // Saves one method's reconstructed slices as a volume (NIfTI, MetaImage, ...): its last
  // whole-stack result, or its last one-slice result when it has none.
  void saveResult(const QString& method, const QString& path, bool force);

 Q_SIGNALS:
  void volumeLoaded(const qs::workbench::MriVolumeInfo& info);
  void maskReady(const qs::workbench::MriMaskPicture& picture);
  void progress(double fraction, const QString& what);
  void finished(const qs::workbench::MriRunResult& result);
  void saved(const QString& path);
  void failed(const QString& message);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace qs::workbench

Q_DECLARE_METATYPE(qs::workbench::MriVolumeInfo)
Q_DECLARE_METATYPE(qs::workbench::MriMaskRequest)
Q_DECLARE_METATYPE(qs::workbench::MriMaskPicture)
Q_DECLARE_METATYPE(qs::workbench::MriRunRequest)
Q_DECLARE_METATYPE(qs::workbench::MriRunResult)
