// KV Inspector workspace: pick a model, a text (typed or from a file) and a K/V codec, run one
// prefill with the taps attached, then look at one layer / KV head / query head through every
// plot: channel outliers before and after the rotation, token x channel heatmaps on a locked
// scale, quantization error, attention with its sinks, massive activations and the saliency
// strip. Every plot exports PNG, PDF and CSV.
#pragma once
#include <QThread>
#include <memory>
#include <QWidget>

#include "app/workbench/inspector_worker.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTabWidget;

namespace qs::views {
class AttentionView;
class ChannelProfileView;
class HeatmapView;
class HistogramView;
class PlotPanel;
class SaliencyStrip;
class TokenBarsView;
}  // namespace qs::views

namespace qs::workbench {

class RecentFilesCombo;

class InspectorWorkspace : public QWidget {
  Q_OBJECT
 public:
  explicit InspectorWorkspace(QWidget* parent = nullptr);
  ~InspectorWorkspace() override;

  void openModel(const QString& path);
  void setText(const QString& text);
  void setCodec(const QString& k_type, const QString& v_type, const QString& kv_options = {});
  void setMaxTokens(int n);
  void analyze();
  // RotateKV's channel reorder for the open model from a text file that is not the analysed text.
  void calibrate(const QString& text_path);
  void selectHead(int layer, int kv_head, int q_head);
  bool isBusy() const { return busy_; }
  QString statusText() const;
  const InspectSummary& summary() const { return summary_; }
  QTabWidget* pages() const { return pages_; }
  // Every exportable plot, in page order (for tests and the screenshot tour).
  std::vector<views::PlotPanel*> plots() const;
  views::ChannelProfileView* channelProfile() const { return profile_; }
  views::HeatmapView* keyBefore() const { return k_before_; }
  views::HeatmapView* keyAfter() const { return k_after_; }
  views::SaliencyStrip* saliency() const { return strip_; }

 Q_SIGNALS:
  void calibrationFinished(bool ok);
  void modelReady(const QString& path);
  void analysisReady();
  void layerShown(int layer, int kv_head, int q_head);
  void logMessage(const QString& text);

 private:
  void onLayer(const InspectLayer& d);
  void requestSelection();
  void setBusy(bool busy);

  std::unique_ptr<WorkerThread> thread_;  // a member: stopped before the child widgets are deleted
  InspectorWorker* worker_ = nullptr;
  InspectSummary summary_;
  bool busy_ = false, model_loaded_ = false;
  bool codec_auto_ = true;  // the codec is the model's automatic default (the user chose none)

  RecentFilesCombo* recent_ = nullptr;
  QLabel* model_info_ = nullptr;
  QPlainTextEdit* text_ = nullptr;
  QSpinBox* max_tokens_ = nullptr;
  QComboBox* k_type_ = nullptr;
  QComboBox* v_type_ = nullptr;
  QLineEdit* kv_options_ = nullptr;
  QPushButton* analyze_ = nullptr;
  QPushButton* calibrate_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QProgressBar* busy_bar_ = nullptr;
  QLabel* status_ = nullptr;
  QSpinBox* layer_ = nullptr;
  QSpinBox* kv_head_ = nullptr;
  QSpinBox* q_head_ = nullptr;
  QTabWidget* pages_ = nullptr;
  views::ChannelProfileView* profile_ = nullptr;
  views::HeatmapView* k_before_ = nullptr;
  views::HeatmapView* k_after_ = nullptr;
  views::HeatmapView* v_before_ = nullptr;
  views::HeatmapView* v_after_ = nullptr;
  views::HistogramView* histogram_ = nullptr;
  views::TokenBarsView* token_error_ = nullptr;
  views::AttentionView* attention_ = nullptr;
  views::HeatmapView* overview_ = nullptr;
  views::HeatmapView* massive_ = nullptr;
  views::SaliencyStrip* strip_ = nullptr;
  views::PlotPanel* strip_panel_ = nullptr;
};

}  // namespace qs::workbench
