#include "app/workbench/mri_workspace.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QInputDialog>
#include <QLineEdit>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QScrollArea>
#include <QSettings>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QTextStream>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "app/workbench/recent_files_combo.h"
#include "views/common/atomic_save.h"
#include "views/common/save_dialog.h"
#include "views/image/slice_view.h"
#include "views/mri/metrics_table.h"

namespace qs::workbench {
namespace {
constexpr const char* kVolumeFilter = "Volumes (*.nii *.nii.gz *.mha *.mhd *.nrrd *.h5 *.cfl);;All files (*)";

// Percentiles of a sample of the values (every k-th voxel: exact enough for a display window).
std::vector<double> percentiles(const std::vector<float>& v, const std::vector<double>& qs) {
  std::vector<float> sample;
  const size_t step = std::max<size_t>(1, v.size() / 200000);
  for (size_t i = 0; i < v.size(); i += step) sample.push_back(v[i]);
  std::sort(sample.begin(), sample.end());
  std::vector<double> out;
  for (double q : qs) out.push_back(sample.empty() ? 0.0 : sample[std::min(sample.size() - 1, size_t(q * double(sample.size() - 1)))]);
  return out;
}

Grid abs_difference(const Grid& a, const Grid& b) {
  Grid d(a.rows, a.cols);
  for (size_t i = 0; i < d.values.size() && i < b.values.size(); ++i) d.values[i] = std::abs(a.values[i] - b.values[i]);
  return d;
}
}  // namespace

MriWorkspace::MriWorkspace(QWidget* parent) : QWidget(parent) {
  qRegisterMetaType<MriVolumeInfo>();
  qRegisterMetaType<MriMaskRequest>();
  qRegisterMetaType<MriMaskPicture>();
  qRegisterMetaType<MriRunRequest>();
  qRegisterMetaType<MriRunResult>();
  setAcceptDrops(true);

  // --- left column: volume, view, mask, methods, run, save
  auto* open = new QPushButton(tr("Open volume…"));
  recent_ = new RecentFilesCombo("mri/recentVolumes", tr("Recent volumes"), 16);
  info_ = new QLabel(tr("Open or drop a volume (NIfTI, MetaImage, NRRD, fastMRI .h5, BART .cfl)."));
  info_->setWordWrap(true);
  auto* file_box = new QGroupBox(tr("Volume"));
  auto* file_layout = new QVBoxLayout(file_box);
  auto* file_row = new QHBoxLayout;
  file_row->addWidget(open);
  file_row->addWidget(recent_, 1);
  file_layout->addLayout(file_row);
  file_layout->addWidget(info_);

  plane_ = new QComboBox;
  plane_->addItems({tr("Axial"), tr("Coronal"), tr("Sagittal")});
  slice_slider_ = new QSlider(Qt::Horizontal);
  slice_spin_ = new QSpinBox;
  wl_preset_ = new QComboBox;
  wl_preset_->addItems({tr("Auto (0.5–99.5 %)"), tr("Full range"), tr("High contrast (5–95 %)")});
  auto* reset = new QPushButton(tr("Reset zoom"));
  auto* view_box = new QGroupBox(tr("View"));
  auto* view_form = new QFormLayout(view_box);
  view_form->addRow(tr("Plane"), plane_);
  auto* slice_row = new QHBoxLayout;
  slice_row->addWidget(slice_slider_, 1);
  slice_row->addWidget(slice_spin_);
  view_form->addRow(tr("Slice"), slice_row);
  auto* wl_row = new QHBoxLayout;
  wl_row->addWidget(wl_preset_, 1);
  wl_row->addWidget(reset);
  view_form->addRow(tr("Window"), wl_row);
  view_form->addRow(new QLabel(tr("<small>Drag: window/level · Shift+drag: pan · wheel: slice · Ctrl+wheel: zoom</small>")));

  mask_type_ = new QComboBox;
  mask_type_->addItems({"random", "equispaced", "gaussian2d"});
  accel_ = new QDoubleSpinBox;
  accel_->setRange(1.0, 32.0);
  accel_->setValue(4.0);
  accel_->setSuffix("×");
  center_ = new QDoubleSpinBox;
  center_->setRange(-1, 1);
  center_->setDecimals(3);
  center_->setSingleStep(0.01);
  center_->setValue(-1);
  center_->setSpecialValueText(tr("fastMRI default"));
  seed_ = new QSpinBox;
  seed_->setRange(0, 1 << 30);
  sampled_ = new QLabel;
  mask_view_ = new views::SliceView;
  mask_view_->setTitle(tr("mask"));
  kspace_view_ = new views::SliceView;
  kspace_view_->setTitle(tr("log |k| (sampled)"));
  mask_view_->setMinimumSize(140, 140);
  kspace_view_->setMinimumSize(140, 140);
  mask_box_ = new QGroupBox(tr("Undersampling"));
  auto* mask_form = new QFormLayout(mask_box_);
  mask_form->addRow(tr("Type"), mask_type_);
  mask_form->addRow(tr("Acceleration"), accel_);
  mask_form->addRow(tr("Centre fraction"), center_);
  mask_form->addRow(tr("Seed"), seed_);
  mask_form->addRow(sampled_);
  auto* mask_pics = new QHBoxLayout;
  mask_pics->addWidget(mask_view_);
  mask_pics->addWidget(kspace_view_);
  mask_form->addRow(mask_pics);

  auto* methods_box = new QGroupBox(tr("Methods"));
  auto* methods_layout = new QVBoxLayout(methods_box);
  for (const MriMethodInfo& m : mri_methods()) {
    auto* box = new QGroupBox(m.name);
    box->setCheckable(true);
    box->setChecked(m.name == "zero-filled" || m.name == "cs-tv");
    box->setToolTip(m.description);
    auto* form = new QFormLayout(box);
    MethodControls c;
    c.box = box;
    for (const auto& [name, def, help] : m.options) {
      auto* edit = new QLineEdit;
      edit->setPlaceholderText(def);
      edit->setToolTip(help);
      form->addRow(name, edit);
      c.options[name] = edit;
    }
    if (m.options.empty()) form->addRow(new QLabel(tr("<small>no options</small>")));
    methods_layout->addWidget(box);
    methods_[m.name] = c;
  }

  auto* slice_only = new QRadioButton(tr("Current slice"));
  auto* whole = new QRadioButton(tr("Whole stack"));
  slice_only->setChecked(true);
  scope_ = new QButtonGroup(this);
  scope_->addButton(slice_only, 0);
  scope_->addButton(whole, 1);
  run_ = new QPushButton(tr("Run"));
  cancel_ = new QPushButton(tr("Cancel"));
  progress_ = new QProgressBar;
  progress_->setRange(0, 1000);
  progress_->setTextVisible(false);
  status_ = new QLabel;
  status_->setWordWrap(true);
  auto* run_box = new QGroupBox(tr("Reconstruct"));
  auto* run_layout = new QVBoxLayout(run_box);
  auto* scope_row = new QHBoxLayout;
  scope_row->addWidget(slice_only);
  scope_row->addWidget(whole);
  run_layout->addLayout(scope_row);
  auto* run_row = new QHBoxLayout;
  run_row->addWidget(run_);
  run_row->addWidget(cancel_);
  run_layout->addLayout(run_row);
  run_layout->addWidget(progress_);
  run_layout->addWidget(status_);
  auto* save_png = new QPushButton(tr("PNG…"));
  auto* save_csv = new QPushButton(tr("CSV…"));
  auto* save_nii = new QPushButton(tr("Result…"));
  save_png->setToolTip(tr("Save the comparison grid as a picture"));
  save_csv->setToolTip(tr("Save the metrics table"));
  save_nii->setToolTip(tr("Save one method's reconstruction as NIfTI (or another volume format)"));
  auto* save_row = new QHBoxLayout;
  save_row->addWidget(new QLabel(tr("Save")));
  save_row->addWidget(save_png);
  save_row->addWidget(save_csv);
  save_row->addWidget(save_nii);
  run_layout->addLayout(save_row);

  auto* left = new QWidget;
  auto* left_layout = new QVBoxLayout(left);
  for (QWidget* w : std::initializer_list<QWidget*>{file_box, view_box, mask_box_, methods_box, run_box}) left_layout->addWidget(w);
  left_layout->addStretch(1);
  auto* scroll = new QScrollArea;
  scroll->setWidget(left);
  scroll->setWidgetResizable(true);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  scroll->setMinimumWidth(330);

  // --- right: the N-up grid over the metrics table
  grid_widget_ = new QWidget;
  grid_ = new QGridLayout(grid_widget_);
  grid_->setSpacing(2);
  grid_->setContentsMargins(0, 0, 0, 0);
  target_view_ = new views::SliceView;
  metrics_ = new views::MetricsTable;
  metrics_->setToolTip(tr("Click a slice's row to show that slice"));
  connect(metrics_, &views::MetricsTable::sliceActivated, this, [this](int slice) {
    const int plane = has_stack_result_ ? stack_result_.plane : slice_result_.plane;
    if (int(sync_.plane()) != plane) sync_.setPlane(Plane(plane));
    sync_.setSlice(slice);
  });
  auto* right = new QSplitter(Qt::Vertical);
  right->addWidget(grid_widget_);
  right->addWidget(metrics_);
  right->setStretchFactor(0, 4);
  right->setStretchFactor(1, 1);
  auto* split = new QSplitter;
  split->addWidget(scroll);
  split->addWidget(right);
  split->setStretchFactor(1, 1);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(split);

  autosave_timer_ = new QTimer(this);
  autosave_timer_->setInterval(5000);
  connect(autosave_timer_, &QTimer::timeout, this, &MriWorkspace::autosave);

  worker_ = new MriWorker;
  thread_ = std::make_unique<WorkerThread>(worker_);
  connect(worker_, &MriWorker::volumeLoaded, this, &MriWorkspace::onVolumeLoaded);
  connect(worker_, &MriWorker::maskReady, this, [this](const MriMaskPicture& p) {
    mask_view_->setRange(0, 1);
    mask_view_->setImage(p.mask);
    const auto [lo, hi] = std::minmax_element(p.log_kspace.values.begin(), p.log_kspace.values.end());
    kspace_view_->setRange(*lo, *hi);
    kspace_view_->setImage(p.log_kspace);
    sampled_->setText(tr("Sampled %1 % of k-space (effective %2×)").arg(100 * p.sampled_fraction, 0, 'f', 1).arg(1.0 / std::max(1e-9, p.sampled_fraction), 0, 'f', 2));
  });
  connect(worker_, &MriWorker::progress, this, [this](double f, const QString& what) {
    progress_->setValue(int(std::lround(f * 1000)));
    status_->setText(what);
  });
  connect(worker_, &MriWorker::finished, this, &MriWorkspace::onFinished);
  connect(worker_, &MriWorker::failed, this, &MriWorkspace::onFailed);
  connect(worker_, &MriWorker::saved, this, [this](const QString& p) {
    status_->setText(tr("Saved %1").arg(p));
    Q_EMIT logMessage(tr("saved %1").arg(p));
    Q_EMIT resultSaved(p);
  });

  connect(open, &QPushButton::clicked, this, &MriWorkspace::chooseFile);
  connect(recent_, &RecentFilesCombo::chosen, this, &MriWorkspace::openVolume);
  connect(plane_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int i) { sync_.setPlane(Plane(i)); });
  connect(slice_slider_, &QSlider::valueChanged, &sync_, &SliceSync::setSlice);
  connect(slice_spin_, qOverload<int>(&QSpinBox::valueChanged), &sync_, &SliceSync::setSlice);
  connect(wl_preset_, qOverload<int>(&QComboBox::currentIndexChanged), this, &MriWorkspace::applyPreset);
  connect(reset, &QPushButton::clicked, &sync_, &SliceSync::resetView);
  connect(&sync_, &SliceSync::sliceChanged, this, &MriWorkspace::refreshImages);
  connect(&sync_, &SliceSync::viewChanged, this, &MriWorkspace::refreshView);
  for (QWidget* w : std::initializer_list<QWidget*>{mask_type_, accel_, center_, seed_}) {
    if (auto* c = qobject_cast<QComboBox*>(w)) connect(c, qOverload<int>(&QComboBox::currentIndexChanged), this, &MriWorkspace::requestMask);
    if (auto* d = qobject_cast<QDoubleSpinBox*>(w)) connect(d, qOverload<double>(&QDoubleSpinBox::valueChanged), this, &MriWorkspace::requestMask);
    if (auto* s = qobject_cast<QSpinBox*>(w)) connect(s, qOverload<int>(&QSpinBox::valueChanged), this, &MriWorkspace::requestMask);
  }
  connect(run_, &QPushButton::clicked, this, [this] { run(scope_->checkedId() == 1); });
  connect(cancel_, &QPushButton::clicked, this, &MriWorkspace::cancel);
  connect(save_png, &QPushButton::clicked, this, [this] {
    const QString p = views::ask_save_path(this, tr("Save the comparison grid"), QSettings().value("mri/lastDir").toString(), tr("PNG image (*.png)"), "png");
    if (!p.isEmpty()) savePng(p);
  });
  connect(save_csv, &QPushButton::clicked, this, [this] {
    const QString p = views::ask_save_path(this, tr("Save the metrics"), QSettings().value("mri/lastDir").toString(), tr("CSV (*.csv)"), "csv");
    if (!p.isEmpty()) saveCsv(p);
  });
  connect(save_nii, &QPushButton::clicked, this, &MriWorkspace::saveResult);

  QSettings settings;
  mask_type_->setCurrentText(settings.value("mri/maskType", "random").toString());
  accel_->setValue(settings.value("mri/acceleration", 4.0).toDouble());
  center_->setValue(settings.value("mri/centerFraction", -1.0).toDouble());
  seed_->setValue(settings.value("mri/seed", 0).toInt());
  if (settings.contains("mri/methods")) setMethodsChecked(settings.value("mri/methods").toStringList());
  rebuildGrid();
  setBusy(false);
}

MriWorkspace::~MriWorkspace() {
  QSettings settings;
  settings.setValue("mri/maskType", mask_type_->currentText());
  settings.setValue("mri/acceleration", accel_->value());
  settings.setValue("mri/centerFraction", center_->value());
  settings.setValue("mri/seed", seed_->value());
  QStringList checked;
  for (const auto& [name, c] : methods_)
    if (c.box->isChecked()) checked << name;
  settings.setValue("mri/methods", checked);
}

QString MriWorkspace::statusText() const { return status_->text(); }

void MriWorkspace::chooseFile() {
  const QString dir = QSettings().value("mri/lastDir").toString();
  const QString path = QFileDialog::getOpenFileName(this, tr("Open a volume"), dir, tr(kVolumeFilter));
  if (!path.isEmpty()) openVolume(path);
}

void MriWorkspace::openVolume(const QString& path) {
  setBusy(true);
  status_->setText(tr("Loading %1…").arg(path));
  Q_EMIT logMessage(tr("loading volume %1").arg(path));
  QMetaObject::invokeMethod(worker_, [w = worker_, path] { w->loadVolume(path); }, Qt::QueuedConnection);
}

void MriWorkspace::dragEnterEvent(QDragEnterEvent* e) {
  if (e->mimeData()->hasUrls()) e->acceptProposedAction();
}

void MriWorkspace::dropEvent(QDropEvent* e) {
  for (const QUrl& url : e->mimeData()->urls())
    if (url.isLocalFile()) {
      openVolume(url.toLocalFile());
      e->acceptProposedAction();
      return;
    }
}

void MriWorkspace::onVolumeLoaded(const MriVolumeInfo& info) {
  volume_ = info;
  has_stack_result_ = has_slice_result_ = false;
  metrics_->setRows({});
  const Stack& s = info.stack;
  info_->setText(tr("%1\n%2 · %3 × %4 × %5 voxels · %6 × %7 × %8 mm")
                     .arg(QFileInfo(info.path).fileName(), info.format)
                     .arg(s.cols).arg(s.rows).arg(s.slices)
                     .arg(s.spacing[0], 0, 'g', 3).arg(s.spacing[1], 0, 'g', 3).arg(s.spacing[2], 0, 'g', 3));
  percentiles_ = percentiles(s.values, {0.005, 0.05, 0.95, 0.995, 1.0});
  recent_->remember(info.path);
  QSettings().setValue("mri/lastDir", QFileInfo(info.path).absolutePath());
  sync_.setExtent(int(s.slices), int(s.rows), int(s.cols));
  sync_.resetView();
  applyPreset(wl_preset_->currentIndex());
  if (view_pending_) {
    view_pending_ = false;
    sync_.setPlane(Plane(pending_plane_));
    sync_.setSlice(pending_slice_);
  }
  setBusy(false);
  autosave_timer_->start();
  autosave();
  status_->setText(tr("Loaded %1").arg(info.path));
  Q_EMIT logMessage(tr("volume ready: %1 (%2)").arg(info.path, info.format));
  Q_EMIT volumeReady(info.path);
}

void MriWorkspace::applyPreset(int index) {
  if (percentiles_.size() < 5) return;
  double lo = percentiles_[0], hi = percentiles_[3];
  if (index == 1) lo = std::min(0.0, percentiles_[0]), hi = percentiles_[4];
  if (index == 2) lo = percentiles_[1], hi = percentiles_[2];
  if (hi <= lo) hi = lo + 1;
  sync_.setWindowLevel(hi - lo, (hi + lo) / 2);
}

MriMaskRequest MriWorkspace::maskRequest() const {
  MriMaskRequest r;
  r.type = mask_type_->currentText();
  r.acceleration = accel_->value();
  r.center_fraction = center_->value() <= 0 ? -1 : center_->value();
  r.seed = qulonglong(seed_->value());
  r.plane = int(sync_.plane());
  r.slice = sync_.slice();
  return r;
}

void MriWorkspace::requestMask() {
  if (volume_.stack.empty()) return;
  const MriMaskRequest r = maskRequest();
  QMetaObject::invokeMethod(worker_, [w = worker_, r] { w->makeMask(r); }, Qt::QueuedConnection);
}

void MriWorkspace::setMask(const QString& type, double acceleration, double center_fraction, int seed) {
  mask_type_->setCurrentText(type);
  accel_->setValue(acceleration);
  center_->setValue(center_fraction <= 0 ? -1 : center_fraction);
  seed_->setValue(seed);
}

void MriWorkspace::setMethodsChecked(const QStringList& methods) {
  for (auto& [name, c] : methods_) c.box->setChecked(methods.contains(name));
}

void MriWorkspace::setMethodOption(const QString& method, const QString& name, const QString& value) {
  auto it = methods_.find(method);
  if (it != methods_.end() && it->second.options.count(name)) it->second.options.at(name)->setText(value);
}

void MriWorkspace::run(bool whole_stack) {
  if (busy_) return;
  if (volume_.stack.empty()) {
    QMessageBox::information(this, tr("No volume"), tr("Open a volume first (File dialog, drag and drop, or the recent list)."));
    return;
  }
  MriRunRequest r;
  r.mask = maskRequest();
  r.whole_stack = whole_stack;
  for (const auto& [name, c] : methods_) {
    if (!c.box->isChecked()) continue;
    r.methods << name;
    for (const auto& [opt, edit] : c.options)
      if (!edit->text().trimmed().isEmpty()) r.options[name][opt.toStdString()] = edit->text().trimmed().toStdString();
  }
  if (r.methods.isEmpty()) {
    QMessageBox::information(this, tr("No method"), tr("Tick at least one reconstruction method."));
    return;
  }
  setBusy(true);
  progress_->setValue(0);
  status_->setText(tr("Reconstructing %1…").arg(r.methods.join(", ")));
  Q_EMIT logMessage(tr("run %1 on %2 %3 at %4× (%5)")
                        .arg(r.methods.join(", "), whole_stack ? tr("every") : tr("one"), plane_name(sync_.plane()))
                        .arg(r.mask.acceleration)
                        .arg(r.mask.type));
  worker_->resetCancel();
  QMetaObject::invokeMethod(worker_, [w = worker_, r] { w->run(r); }, Qt::QueuedConnection);
}

void MriWorkspace::cancel() {
  worker_->cancel();
  status_->setText(tr("Cancelling…"));
}

namespace {
// The metrics rows of one run: its whole-run row (scope, mask and the PSNR's data range) and,
// for a stack, one row per slice.
void append_rows(const MriRunResult& r, std::vector<views::MetricsRow>* rows) {
  const QString plane = plane_name(Plane(r.plane));
  const QString mask = QObject::tr("%1 %2×").arg(r.mask.type).arg(r.mask.acceleration);
  const QString tip = QObject::tr("PSNR data range %1: the target's maximum over %2 slice(s) scored together (fastMRI's per-volume convention)")
                          .arg(r.data_range, 0, 'g', 4)
                          .arg(r.slices.size());
  for (const auto& m : r.methods) {
    const QString scope = r.whole_stack ? QObject::tr("%1 stack (%2 slices), %3").arg(plane).arg(r.slices.size()).arg(mask)
                                        : QObject::tr("%1 slice %2, %3").arg(plane).arg(r.slices.front()).arg(mask);
    rows->push_back({m.method, scope, m.metrics.psnr, m.metrics.ssim, m.metrics.nmse, m.seconds, r.whole_stack ? -1 : r.slices.front(), tip});
    if (r.whole_stack)
      for (const auto& [index, v] : m.slice_metrics)
        rows->push_back({m.method, QObject::tr("slice %1 (stack range)").arg(index), v.psnr, v.ssim, v.nmse, m.seconds / double(r.slices.size()), index, tip});
  }
}
}  // namespace

void MriWorkspace::onFinished(const MriRunResult& result) {
  // A one-slice run is listed beside the last whole-stack run instead of replacing it (the
  // worker keeps that stack for Save Result... too); a new stack run replaces both. The grid
  // shows the latest of the two.
  showing_stack_ = result.whole_stack;
  (showing_stack_ ? stack_result_ : slice_result_) = result;
  if (showing_stack_) has_slice_result_ = false;
  (showing_stack_ ? has_stack_result_ : has_slice_result_) = true;
  std::vector<views::MetricsRow> rows;
  if (has_stack_result_) append_rows(stack_result_, &rows);
  if (has_slice_result_) append_rows(slice_result_, &rows);
  metrics_->setRows(rows);
  metrics_->sortItems(2, Qt::DescendingOrder);
  rebuildGrid();
  setBusy(false);
  progress_->setValue(1000);
  QString summary;
  for (const auto& m : result.methods) summary += tr("%1 %2 dB · ").arg(m.method).arg(m.metrics.psnr, 0, 'f', 2);
  status_->setText(tr("Done: %1").arg(summary.left(summary.size() - 3)));
  Q_EMIT logMessage(tr("reconstruction finished: %1").arg(status_->text()));
  autosave();
  Q_EMIT runFinished();
}

void MriWorkspace::onFailed(const QString& message) {
  const bool was_run = busy_;
  setBusy(false);
  if (message.contains("cancelled")) {
    status_->setText(tr("Cancelled."));
    progress_->setValue(0);
    Q_EMIT logMessage(tr("reconstruction cancelled"));
  } else {
    status_->setText(tr("Failed: %1").arg(message));
    Q_EMIT logMessage(tr("MRI error: %1").arg(message));
    QMessageBox::warning(this, tr("MRI"), tr("%1\n\nCheck the file and the method options (hover an option to see what it means).").arg(message));
  }
  if (was_run) Q_EMIT runFailed(message);
}

void MriWorkspace::setBusy(bool busy) {
  busy_ = busy;
  run_->setEnabled(!busy);
  cancel_->setEnabled(busy);
  mask_box_->setEnabled(!busy);
  plane_->setEnabled(!busy);
}

// Target | each method on the top row, their error maps below on one colour scale.
void MriWorkspace::rebuildGrid() {
  for (auto* v : method_views_) v->deleteLater();
  for (auto* v : error_views_) v->deleteLater();
  method_views_.clear();
  error_views_.clear();
  grid_->addWidget(target_view_, 0, 0);
  if (!legend_) {
    legend_ = new QLabel(tr("Top: target and each method, one window/level.\nBottom: |method − target| on one colour scale\n(the 99.5th percentile of all their errors).\n\nEvery pane follows the same slice, zoom and pan."));
    legend_->setAlignment(Qt::AlignCenter);
    legend_->setWordWrap(true);
    grid_->addWidget(legend_, 1, 0);
  }
  legend_->setVisible(hasResult());
  auto wire = [this](views::SliceView* v) {
    connect(v, &views::SliceView::windowLevelDragged, this, [this](double dw, double dl) {
      sync_.setWindowLevel(sync_.window() * std::exp(2 * dw), sync_.level() + dl * sync_.window());
    });
    connect(v, &views::SliceView::panDragged, this, [this](QPointF d) { sync_.panBy(d / sync_.zoom()); });
    connect(v, &views::SliceView::zoomRequested, &sync_, &SliceSync::zoomBy);
    connect(v, &views::SliceView::sliceStepRequested, &sync_, &SliceSync::stepSlice);
    connect(v, &views::SliceView::resetRequested, &sync_, &SliceSync::resetView);
  };
  if (!target_view_->property("wired").toBool()) {
    wire(target_view_);
    target_view_->setProperty("wired", true);
  }
  if (hasResult()) {
    for (size_t i = 0; i < result().methods.size(); ++i) {
      auto* v = new views::SliceView;
      auto* e = new views::SliceView;
      e->setColormap(views::Colormap::kHot, true);
      wire(v);
      wire(e);
      grid_->addWidget(v, 0, int(i) + 1);
      grid_->addWidget(e, 1, int(i) + 1);
      method_views_.push_back(v);
      error_views_.push_back(e);
    }
  }
  refreshImages();
}

void MriWorkspace::refreshImages() {
  const QSignalBlocker b1(slice_slider_), b2(slice_spin_);
  const int n = sync_.sliceCount(sync_.plane());
  slice_slider_->setRange(0, std::max(0, n - 1));
  slice_spin_->setRange(0, std::max(0, n - 1));
  slice_slider_->setValue(sync_.slice());
  slice_spin_->setValue(sync_.slice());
  if (plane_->currentIndex() != int(sync_.plane())) {
    const QSignalBlocker b3(plane_);
    plane_->setCurrentIndex(int(sync_.plane()));
  }
  if (volume_.stack.empty()) {
    target_view_->clearImage(tr("Open or drop a volume"));
    return;
  }
  const int plane = int(sync_.plane()), slice = sync_.slice();
  const double aspect = plane_aspect(volume_.stack, plane);
  target_view_->setTitle(tr("target · %1 %2/%3").arg(plane_name(sync_.plane())).arg(slice).arg(n - 1));
  target_view_->setImage(plane_slice(volume_.stack, plane, slice), aspect);
  target_view_->setCaption({});
  const bool same_plane = hasResult() && result().plane == plane;
  for (size_t i = 0; i < method_views_.size(); ++i) {
    const MriMethodResult& m = result().methods[i];
    auto it = m.images.find(slice);
    method_views_[i]->setTitle(m.method);
    error_views_[i]->setTitle(tr("|error| %1").arg(m.method));
    if (same_plane && it != m.images.end()) {
      const MriScores& sm = m.slice_metrics.at(slice);
      method_views_[i]->setImage(it->second, aspect);
      method_views_[i]->setCaption(tr("PSNR %1 dB · SSIM %2").arg(sm.psnr, 0, 'f', 2).arg(sm.ssim, 0, 'f', 3));
      error_views_[i]->setRange(0, result().error_scale);
      error_views_[i]->setImage(abs_difference(it->second, result().targets.at(slice)), aspect);
      error_views_[i]->setCaption(tr("NMSE %1").arg(sm.nmse, 0, 'f', 5));
    } else {
      const QString why = same_plane ? tr("slice %1 not reconstructed:\nRun on it or on the whole stack").arg(slice) : tr("results are for the %1 plane").arg(plane_name(Plane(result().plane)));
      method_views_[i]->clearImage(why);
      error_views_[i]->clearImage(why);
      method_views_[i]->setCaption({});
      error_views_[i]->setCaption({});
    }
  }
  refreshView();
  requestMask();
}

void MriWorkspace::refreshView() {
  target_view_->setRange(sync_.low(), sync_.high());
  target_view_->setZoomPan(sync_.zoom(), sync_.pan());
  for (auto* v : method_views_) {
    v->setRange(sync_.low(), sync_.high());
    v->setZoomPan(sync_.zoom(), sync_.pan());
  }
  for (auto* v : error_views_) v->setZoomPan(sync_.zoom(), sync_.pan());
}

bool MriWorkspace::savePng(const QString& path) {
  const bool ok = views::save_atomically(path, [this](const QString& out) { return grid_widget_->grab().save(out, "PNG"); });
  Q_EMIT logMessage(ok ? tr("saved %1").arg(path) : tr("could not write %1").arg(path));
  if (!ok) QMessageBox::warning(this, tr("Save"), tr("Could not write %1: check the folder exists and is writable.").arg(path));
  return ok;
}

bool MriWorkspace::saveCsv(const QString& path) {
  const bool ok = views::save_atomically(path, [this](const QString& out) {
    QFile f(out);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(metrics_->toCsv().toUtf8()) >= 0 && f.flush();
  });
  Q_EMIT logMessage(ok ? tr("saved %1").arg(path) : tr("could not write %1").arg(path));
  if (!ok) QMessageBox::warning(this, tr("Save"), tr("Could not write %1: check the folder exists and is writable.").arg(path));
  return ok;
}

void MriWorkspace::saveResult() {
  if (!hasResult() || result().methods.empty()) {
    QMessageBox::information(this, tr("Save"), tr("Run a reconstruction first."));
    return;
  }
  QString method = result().methods.front().method;
  if (result().methods.size() > 1) {
    QStringList names;
    for (const auto& m : result().methods) names << m.method;
    bool ok = false;
    method = QInputDialog::getItem(this, tr("Save a result"), tr("Method"), names, 0, false, &ok);
    if (!ok) return;
  }
  const QString path = views::ask_save_path(this, tr("Save %1").arg(method), QSettings().value("mri/lastDir").toString(), tr("NIfTI (*.nii.gz *.nii);;MetaImage (*.mha);;NRRD (*.nrrd)"), "nii.gz");
  if (path.isEmpty()) return;
  saveResultTo(method, path, true);  // the dialog already asked before replacing
}

void MriWorkspace::saveResultTo(const QString& method, const QString& path, bool overwrite) {
  QMetaObject::invokeMethod(worker_, [w = worker_, method, path, overwrite] { w->saveResult(method, path, overwrite); }, Qt::QueuedConnection);
}

}  // namespace qs::workbench
