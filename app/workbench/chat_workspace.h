// Chat workspace: open a model (recent list), see its metadata, pick K/V cache types and
// sampling, type a prompt, watch the reply stream; Stop, Regenerate, Continue; tokens/s and
// time to first token per reply. A/B mode sends each prompt through two cache configurations
// side by side and marks the first token where they part. Conversations save to JSON.
#pragma once
#include <QThread>
#include <memory>
#include <QKeySequence>
#include <QWidget>
#include <array>

#include "app/models/conversation.h"
#include "app/workbench/llm_worker.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTimer;

namespace qs::views {
class ChatTranscriptView;
class ContextBar;
class KeyValueTable;
}  // namespace qs::views

namespace qs::workbench {

class RecentFilesCombo;

class ChatWorkspace : public QWidget {
  Q_OBJECT
 public:
  explicit ChatWorkspace(QWidget* parent = nullptr);
  ~ChatWorkspace() override;
  // The prompt's Send shortcut (also listed by Help, Keyboard shortcuts).
  static QKeySequence sendShortcut() { return QKeySequence(Qt::CTRL | Qt::Key_Return); }

  void openModel(const QString& path, const QString& tokenizer = {});
  void setPrompt(const QString& text);
  void setCacheTypes(const QString& k_type, const QString& v_type, int lane = 0);
  QString kType(int lane) const;
  void setKvOptions(const QString& options, int lane = 0);
  void setAbMode(bool on);
  void setMaxTokens(int n);
  void setPreset(int index);  // 0 = Deterministic (greedy)
  void send();
  void stop();
  void regenerate();
  void continueReply();
  // RotateKV's calibrated channel reorder for the open model, from a text file (asks before
  // replacing an existing file when `ask` is set).
  void calibrate(const QString& text_path, bool ask = true);
  // Conversations survive crashes: after every reply, and every 5 s while one streams, the open
  // conversation is written (atomically) to autosavePath() in the user's data folder. A clean
  // exit removes it; at the next start restoreAutosave() brings it back (after the model loads
  // when one is loading) and keeps it marked unsaved.
  QString autosavePath() const;
  bool hasUnsavedWork() const { return dirty_; }
  void restoreAutosave();
  void discardAutosave();
  bool saveConversation(const QString& path, QString* error = nullptr);
  bool loadConversation(const QString& path, QString* error = nullptr);
  bool isBusy() const { return busy_; }
  views::ChatTranscriptView* transcript(int lane = 0) const { return transcripts_[size_t(lane)]; }
  QString statusText() const;
  QString divergenceText() const;

 Q_SIGNALS:
  void modelReady(const QString& path);
  void modelFailed(const QString& message);
  void autosaveRestored(const QString& path);
  void generationFinished();
  void calibrationFinished(bool ok);
  void tokenArrived(int count);
  void logMessage(const QString& text);

 protected:
  void dragEnterEvent(QDragEnterEvent* e) override;
  void dropEvent(QDropEvent* e) override;

 private Q_SLOTS:
  void onModelLoaded(const qs::workbench::ModelSummary& s);
  void onLoadFailed(const QString& message);
  void onToken(int lane, int id, const QString& text, float probability, long long context_used, long long kv_bytes);
  void onFinished(int lane, const qs::workbench::GenerationStats& s);
  void onFailed(int lane, const QString& message);
  void chooseModelFile();
  void chooseModelFolder();
  void applyPreset(int index);

 private:
  void resetLanes();  // both lanes' history and transcripts emptied
  void chooseLaneBDefault();
  void showCacheTypes(const QString& k_type, const QString& v_type, int lane);  // no choice recorded
  enum class Turn { kNew, kContinue };
  void start(Turn turn);
  GenerationRequest request(int lane, Turn turn) const;
  void laneDone();
  void compareLanes();
  void setBusy(bool busy);
  void autosave();
  bool writeConversation(const QString& path) const;  // atomically; no log, no settings
  void updateKvEstimate();
  int laneCount() const;
  Conversation conversation() const;

  std::unique_ptr<WorkerThread> thread_;  // a member: stopped before the child widgets are deleted
  LlmWorker* worker_ = nullptr;
  RecentFilesCombo* recent_ = nullptr;
  views::KeyValueTable* metadata_ = nullptr;
  std::array<views::ChatTranscriptView*, 2> transcripts_{};
  views::ContextBar* context_ = nullptr;
  QPlainTextEdit* prompt_ = nullptr;
  QPlainTextEdit* system_ = nullptr;
  QPushButton* send_ = nullptr;
  QPushButton* stop_ = nullptr;
  QPushButton* regenerate_ = nullptr;
  QPushButton* continue_ = nullptr;
  QPushButton* calibrate_ = nullptr;
  QCheckBox* ab_ = nullptr;
  std::array<QComboBox*, 2> k_type_{}, v_type_{};
  std::array<QLineEdit*, 2> kv_options_{};
  std::array<QLabel*, 2> kv_estimate_{};
  QWidget* lane_b_box_ = nullptr;
  QComboBox* preset_ = nullptr;
  QComboBox* template_ = nullptr;
  QDoubleSpinBox* temperature_ = nullptr;
  QDoubleSpinBox* top_p_ = nullptr;
  QSpinBox* top_k_ = nullptr;
  QSpinBox* max_tokens_ = nullptr;
  QSpinBox* seed_ = nullptr;
  QLabel* status_ = nullptr;
  QLabel* divergence_ = nullptr;
  bool busy_ = false;
  bool dirty_ = false;            // messages since the last explicit save or load
  bool restore_on_model_ = false;  // restoreAutosave() waits for the model being loaded
  QTimer* autosave_timer_ = nullptr;
  Turn turn_ = Turn::kNew;  // what the running generation does to the last reply
  int lanes_running_ = 0;
  int streamed_tokens_ = 0;
  bool stopping_ = false;       // Stop pressed: later tokens are dropped, unstarted lanes not run
  bool lane_b_copied_ = false;  // lane B shows A's replies, copied when A/B was turned on
  bool lane_b_auto_ = true;     // lane B's types are the automatic default (the user chose none)
  QString lane_b_reason_;       // why the automatic default is what it is
  long long context_used_ = 0;  // lane A's cache length after the last reply
  ModelSummary model_;
  std::array<std::vector<std::pair<QString, QString>>, 2> history_;
  std::array<GenerationStats, 2> last_stats_{};
};

}  // namespace qs::workbench
