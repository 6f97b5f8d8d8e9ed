// MRI workspace: open a volume (dialog, drag and drop, recent list), browse it in three planes
// with window/level, design an undersampling mask, reconstruct the slice or the whole stack
// with the methods the registry holds, and compare them in an N-up grid that shares one
// SliceSync (slice, zoom, pan, window/level), with error maps on one scale and a metrics table.
#pragma once
#include <QGroupBox>
#include <QThread>
#include <memory>
#include <QWidget>
#include <map>
#include <vector>

#include "app/models/mri_study.h"
#include "app/models/slice_sync.h"
#include "app/workbench/mri_worker.h"

class QButtonGroup;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGridLayout;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSlider;
class QSpinBox;
class QTimer;

namespace qs::views {
class MetricsTable;
class SliceView;
}  // namespace qs::views

namespace qs::workbench {

class RecentFilesCombo;

class MriWorkspace : public QWidget {
  Q_OBJECT
 public:
  explicit MriWorkspace(QWidget* parent = nullptr);
  ~MriWorkspace() override;

  void openVolume(const QString& path);
  void setMask(const QString& type, double acceleration, double center_fraction = -1, int seed = 0);
  void setMethodsChecked(const QStringList& methods);  // the others are unchecked
  void setMethodOption(const QString& method, const QString& name, const QString& value);
  void run(bool whole_stack);
  void cancel();
  bool isBusy() const { return busy_; }
  SliceSync* sync() { return &sync_; }
  views::MetricsTable* metricsTable() const { return metrics_; }
  QWidget* comparisonGrid() const { return grid_widget_; }
  QWidget* maskPanel() const { return mask_box_; }
  QString statusText() const;
  // Writes the comparison grid (PNG), the metrics (CSV) or a method's result (NIfTI, ...).
  bool savePng(const QString& path);
  bool saveCsv(const QString& path);
  // Asynchronous (the worker writes): resultSaved or a failure dialog follows. Without
  // `overwrite` an existing file is refused.
  void saveResultTo(const QString& method, const QString& path, bool overwrite);

  // The study (volume, plane and slice, mask, ticked methods and their options) as the widgets
  // hold it, and applied back: the volume is opened if it differs, plane and slice follow when
  // it is ready.
  MriStudy study() const;
  void applyStudy(const MriStudy& s);
  // Autosave: while a volume is open the study is written atomically to autosavePath() in the
  // user's data folder every 5 s when it changed and after each run; a clean exit removes it and
  // restoreAutosave() at the next start brings it back. An unreadable file is set aside as
  // .unreadable, never deleted.
  QString autosavePath() const;
  void restoreAutosave();
  void discardAutosave();

 Q_SIGNALS:
  void volumeReady(const QString& path);
  void runFinished();
  void runFailed(const QString& message);
  void resultSaved(const QString& path);
  void logMessage(const QString& text);
  void autosaveRestored(const QString& path);

 protected:
  void dragEnterEvent(QDragEnterEvent* e) override;
  void dropEvent(QDropEvent* e) override;

 private:
  void buildMethodList();
  void onVolumeLoaded(const MriVolumeInfo& info);
  void onFinished(const MriRunResult& result);
  void onFailed(const QString& message);
  void requestMask();
  void refreshImages();
  void refreshView();
  void rebuildGrid();
  void applyPreset(int index);
  void setBusy(bool busy);
  void chooseFile();
  void saveResult();
  MriMaskRequest maskRequest() const;
  void autosave();

  std::unique_ptr<WorkerThread> thread_;  // a member: stopped before the child widgets are deleted
  MriWorker* worker_ = nullptr;
  SliceSync sync_;
  MriVolumeInfo volume_;
  MriRunResult stack_result_, slice_result_;  // the last whole-stack and one-slice runs, listed in the table
  bool has_stack_result_ = false, has_slice_result_ = false, busy_ = false;
  bool showing_stack_ = false;  // which of the two the grid shows (the latest)
  const MriRunResult& result() const { return showing_stack_ ? stack_result_ : slice_result_; }
  bool hasResult() const { return has_stack_result_ || has_slice_result_; }
  std::vector<double> percentiles_;  // 0.5, 5, 95, 99.5 % and max of the volume
  QTimer* autosave_timer_ = nullptr;
  QByteArray last_autosave_;         // what the file holds now (written only when it changes)
  bool view_pending_ = false;        // applyStudy's plane and slice wait for the volume
  int pending_plane_ = 0, pending_slice_ = 0;

  RecentFilesCombo* recent_ = nullptr;
  QLabel* info_ = nullptr;
  QComboBox* plane_ = nullptr;
  QSlider* slice_slider_ = nullptr;
  QSpinBox* slice_spin_ = nullptr;
  QComboBox* wl_preset_ = nullptr;
  QGroupBox* mask_box_ = nullptr;
  QComboBox* mask_type_ = nullptr;
  QDoubleSpinBox* accel_ = nullptr;
  QDoubleSpinBox* center_ = nullptr;
  QSpinBox* seed_ = nullptr;
  QLabel* sampled_ = nullptr;
  views::SliceView* mask_view_ = nullptr;
  views::SliceView* kspace_view_ = nullptr;
  struct MethodControls {
    QGroupBox* box = nullptr;
    std::map<QString, QLineEdit*> options;
  };
  std::map<QString, MethodControls> methods_;
  QButtonGroup* scope_ = nullptr;
  QPushButton* run_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QLabel* status_ = nullptr;
  QWidget* grid_widget_ = nullptr;
  QGridLayout* grid_ = nullptr;
  views::SliceView* target_view_ = nullptr;
  QLabel* legend_ = nullptr;
  std::vector<views::SliceView*> method_views_, error_views_;
  views::MetricsTable* metrics_ = nullptr;
};

}  // namespace qs::workbench
