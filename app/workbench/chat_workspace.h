// Chat workspace: open a model (recent list), see its metadata, pick K/V cache types and
// sampling, type a prompt, watch the reply stream, stop it, see tokens/s.
#pragma once
#include <QThread>
#include <QWidget>

#include "app/workbench/llm_worker.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace qs::views {
class ChatTranscriptView;
class ContextBar;
class KeyValueTable;
}  // namespace qs::views

namespace qs::workbench {

class ChatWorkspace : public QWidget {
  Q_OBJECT
 public:
  explicit ChatWorkspace(QWidget* parent = nullptr);
  ~ChatWorkspace() override;

  void openModel(const QString& path, const QString& tokenizer = {});
  void setPrompt(const QString& text);
  void setCacheTypes(const QString& k_type, const QString& v_type);
  void setMaxTokens(int n);
  void send();
  void stop();
  bool isBusy() const { return busy_; }
  views::ChatTranscriptView* transcript() const { return transcript_; }
  QString statusText() const;

 Q_SIGNALS:
  void modelReady(const QString& path);
  void generationFinished();
  void tokenArrived(int count);
  void logMessage(const QString& text);

 private Q_SLOTS:
  void onModelLoaded(const qs::workbench::ModelSummary& s);
  void onLoadFailed(const QString& message);
  void onToken(const QString& text, float probability, long long context_used, long long kv_bytes);
  void onFinished(const qs::workbench::GenerationStats& s);
  void onFailed(const QString& message);
  void chooseModelFile();
  void chooseModelFolder();
  void applyPreset(int index);

 private:
  void setBusy(bool busy);
  void rememberRecent(const QString& path);
  void refreshRecent();
  void updateKvEstimate();

  QThread thread_;
  LlmWorker* worker_ = nullptr;
  QComboBox* recent_ = nullptr;
  views::KeyValueTable* metadata_ = nullptr;
  views::ChatTranscriptView* transcript_ = nullptr;
  views::ContextBar* context_ = nullptr;
  QPlainTextEdit* prompt_ = nullptr;
  QPlainTextEdit* system_ = nullptr;
  QPushButton* send_ = nullptr;
  QPushButton* stop_ = nullptr;
  QComboBox* k_type_ = nullptr;
  QComboBox* v_type_ = nullptr;
  QComboBox* preset_ = nullptr;
  QComboBox* template_ = nullptr;
  QDoubleSpinBox* temperature_ = nullptr;
  QDoubleSpinBox* top_p_ = nullptr;
  QSpinBox* top_k_ = nullptr;
  QSpinBox* max_tokens_ = nullptr;
  QSpinBox* seed_ = nullptr;
  QLabel* kv_estimate_ = nullptr;
  QLabel* status_ = nullptr;
  bool busy_ = false;
  int streamed_tokens_ = 0;
  ModelSummary model_;
  std::vector<std::pair<QString, QString>> history_;
};

}  // namespace qs::workbench
