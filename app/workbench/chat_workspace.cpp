#include "app/workbench/chat_workspace.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>

#include "core/kv/kv_cache.h"
#include "core/llm/chat/chat_template.h"
#include "views/chat/chat_transcript_view.h"
#include "views/chat/context_bar.h"
#include "views/chat/key_value_table.h"

namespace qs::workbench {
namespace {
constexpr int kMaxRecent = 10;
struct Preset {
  const char* name;
  double temperature;
  int top_k;
  double top_p;
};
constexpr Preset kPresets[] = {{"Deterministic (greedy)", 0.0, 1, 1.0}, {"Balanced", 0.8, 40, 0.95}, {"Creative", 1.1, 100, 0.98}};
}  // namespace

ChatWorkspace::ChatWorkspace(QWidget* parent) : QWidget(parent) {
  qRegisterMetaType<ModelSummary>();
  qRegisterMetaType<GenerationRequest>();
  qRegisterMetaType<GenerationStats>();

  // Left: model, cache types and sampling. Right: transcript, prompt, context bar.
  auto* open_file = new QPushButton(tr("Open file…"));
  auto* open_folder = new QPushButton(tr("Open folder…"));
  recent_ = new QComboBox;
  recent_->setPlaceholderText(tr("Recent models"));
  recent_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  recent_->setMinimumContentsLength(20);
  metadata_ = new views::KeyValueTable;

  k_type_ = new QComboBox;
  v_type_ = new QComboBox;
  for (const auto& t : kv_cache_types()) {
    k_type_->addItem(QString::fromStdString(t));
    v_type_->addItem(QString::fromStdString(t));
  }
  k_type_->setCurrentText("f32");
  v_type_->setCurrentText("f32");
  kv_estimate_ = new QLabel;
  kv_estimate_->setWordWrap(true);

  preset_ = new QComboBox;
  for (const auto& p : kPresets) preset_->addItem(tr(p.name));
  template_ = new QComboBox;
  template_->addItem(tr("From the model"), QString());
  for (const auto& n : chat_template_names()) template_->addItem(QString::fromStdString(n), QString::fromStdString(n));
  temperature_ = new QDoubleSpinBox;
  temperature_->setRange(0, 5);
  temperature_->setSingleStep(0.1);
  top_k_ = new QSpinBox;
  top_k_->setRange(0, 100000);
  top_p_ = new QDoubleSpinBox;
  top_p_->setRange(0.01, 1.0);
  top_p_->setSingleStep(0.05);
  max_tokens_ = new QSpinBox;
  max_tokens_->setRange(1, 1 << 20);
  max_tokens_->setValue(200);
  seed_ = new QSpinBox;
  seed_->setRange(0, 1 << 30);
  system_ = new QPlainTextEdit;
  system_->setPlaceholderText(tr("System prompt (optional)"));
  system_->setMaximumHeight(120);

  auto* model_box = new QWidget;
  auto* model_layout = new QVBoxLayout(model_box);
  auto* open_row = new QHBoxLayout;
  open_row->addWidget(open_file);
  open_row->addWidget(open_folder);
  model_layout->addLayout(open_row);
  model_layout->addWidget(recent_);
  model_layout->addWidget(metadata_, 1);

  auto* cache_box = new QGroupBox(tr("KV cache"));
  auto* cache_form = new QFormLayout(cache_box);
  cache_form->addRow(tr("K type"), k_type_);
  cache_form->addRow(tr("V type"), v_type_);
  cache_form->addRow(kv_estimate_);

  auto* sampling_box = new QWidget;
  auto* sampling_form = new QFormLayout(sampling_box);
  sampling_form->addRow(tr("Preset"), preset_);
  sampling_form->addRow(tr("Temperature"), temperature_);
  sampling_form->addRow(tr("Top-k"), top_k_);
  sampling_form->addRow(tr("Top-p"), top_p_);
  sampling_form->addRow(tr("Max new tokens"), max_tokens_);
  sampling_form->addRow(tr("Seed"), seed_);
  sampling_form->addRow(tr("Template"), template_);
  sampling_form->addRow(new QLabel(tr("System prompt")));
  sampling_form->addRow(system_);

  // Left column: model facts and sampling share a tab widget so the metadata table gets the
  // height it needs; the cache choice stays visible below.
  auto* left_tabs = new QTabWidget;
  left_tabs->addTab(model_box, tr("Model"));
  left_tabs->addTab(sampling_box, tr("Sampling"));
  auto* left = new QWidget;
  auto* left_layout = new QVBoxLayout(left);
  left_layout->setContentsMargins(0, 0, 0, 0);
  left_layout->addWidget(left_tabs, 1);
  left_layout->addWidget(cache_box);

  transcript_ = new views::ChatTranscriptView;
  prompt_ = new QPlainTextEdit;
  prompt_->setPlaceholderText(tr("Type a prompt (Ctrl+Enter sends)"));
  prompt_->setMaximumHeight(90);
  send_ = new QPushButton(tr("Send"));
  stop_ = new QPushButton(tr("Stop"));
  auto* clear = new QPushButton(tr("New chat"));
  context_ = new views::ContextBar;
  status_ = new QLabel(tr("No model loaded."));
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(context_, 1);
  buttons->addWidget(clear);
  buttons->addWidget(stop_);
  buttons->addWidget(send_);
  auto* right = new QWidget;
  auto* right_layout = new QVBoxLayout(right);
  right_layout->setContentsMargins(0, 0, 0, 0);
  right_layout->addWidget(transcript_, 1);
  right_layout->addWidget(prompt_);
  right_layout->addLayout(buttons);
  right_layout->addWidget(status_);

  auto* split = new QSplitter;
  split->addWidget(left);
  split->addWidget(right);
  split->setStretchFactor(1, 1);
  split->setSizes({340, 700});
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(split);

  worker_ = new LlmWorker;
  worker_->moveToThread(&thread_);
  connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
  connect(worker_, &LlmWorker::modelLoaded, this, &ChatWorkspace::onModelLoaded);
  connect(worker_, &LlmWorker::loadFailed, this, &ChatWorkspace::onLoadFailed);
  connect(worker_, &LlmWorker::token, this, &ChatWorkspace::onToken);
  connect(worker_, &LlmWorker::finished, this, &ChatWorkspace::onFinished);
  connect(worker_, &LlmWorker::failed, this, &ChatWorkspace::onFailed);
  thread_.start();

  connect(open_file, &QPushButton::clicked, this, &ChatWorkspace::chooseModelFile);
  connect(open_folder, &QPushButton::clicked, this, &ChatWorkspace::chooseModelFolder);
  connect(recent_, qOverload<int>(&QComboBox::activated), this, [this](int i) { openModel(recent_->itemData(i).toString()); });
  connect(send_, &QPushButton::clicked, this, &ChatWorkspace::send);
  connect(stop_, &QPushButton::clicked, this, &ChatWorkspace::stop);
  connect(clear, &QPushButton::clicked, this, [this] {
    history_.clear();
    transcript_->clearMessages();
  });
  connect(preset_, qOverload<int>(&QComboBox::currentIndexChanged), this, &ChatWorkspace::applyPreset);
  connect(k_type_, &QComboBox::currentTextChanged, this, &ChatWorkspace::updateKvEstimate);
  connect(v_type_, &QComboBox::currentTextChanged, this, &ChatWorkspace::updateKvEstimate);
  auto* shortcut = new QShortcut(QKeySequence("Ctrl+Return"), prompt_);
  connect(shortcut, &QShortcut::activated, this, &ChatWorkspace::send);

  preset_->setCurrentIndex(0);
  applyPreset(0);
  refreshRecent();
  setBusy(false);
  send_->setEnabled(false);
}

ChatWorkspace::~ChatWorkspace() {
  worker_->cancel();
  thread_.quit();
  thread_.wait();
}

void ChatWorkspace::applyPreset(int index) {
  if (index < 0 || index >= int(std::size(kPresets))) return;
  temperature_->setValue(kPresets[index].temperature);
  top_k_->setValue(kPresets[index].top_k);
  top_p_->setValue(kPresets[index].top_p);
}

void ChatWorkspace::chooseModelFile() {
  QString path = QFileDialog::getOpenFileName(this, tr("Open model"), {}, tr("Models (*.gguf *.bin);;All files (*)"));
  if (!path.isEmpty()) openModel(path);
}

void ChatWorkspace::chooseModelFolder() {
  QString path = QFileDialog::getExistingDirectory(this, tr("Open a Hugging Face model folder"));
  if (!path.isEmpty()) openModel(path);
}

void ChatWorkspace::openModel(const QString& path, const QString& tokenizer) {
  setBusy(true);
  status_->setText(tr("Loading %1…").arg(path));
  Q_EMIT logMessage(tr("loading model %1").arg(path));
  QMetaObject::invokeMethod(worker_, [w = worker_, path, tokenizer] { w->loadModel(path, tokenizer); }, Qt::QueuedConnection);
}

void ChatWorkspace::onModelLoaded(const ModelSummary& s) {
  model_ = s;
  metadata_->setRows(s.rows);
  history_.clear();
  transcript_->clearMessages();
  rememberRecent(s.path);
  updateKvEstimate();
  context_->setUsage(0, s.context_length, 0);
  setBusy(false);
  status_->setText(tr("Loaded %1").arg(s.path));
  Q_EMIT logMessage(tr("model ready: %1").arg(s.path));
  Q_EMIT modelReady(s.path);
}

void ChatWorkspace::onLoadFailed(const QString& message) {
  setBusy(false);
  send_->setEnabled(!model_.path.isEmpty());
  status_->setText(tr("Could not load the model."));
  Q_EMIT logMessage(tr("load failed: %1").arg(message));
  QMessageBox::warning(this, tr("Could not open the model"),
                       tr("%1\n\nCheck that the file is a GGUF, llama2.c checkpoint (with its tokenizer .bin beside it) or a Hugging Face folder.").arg(message));
}

void ChatWorkspace::setPrompt(const QString& text) { prompt_->setPlainText(text); }
void ChatWorkspace::setMaxTokens(int n) { max_tokens_->setValue(n); }

void ChatWorkspace::send() {
  if (busy_ || model_.path.isEmpty()) return;
  QString text = prompt_->toPlainText();
  GenerationRequest r;
  if (!system_->toPlainText().trimmed().isEmpty()) r.messages.push_back({"system", system_->toPlainText()});
  r.messages.insert(r.messages.end(), history_.begin(), history_.end());
  r.messages.push_back({"user", text});
  r.chat_template = template_->currentData().toString();
  r.k_type = k_type_->currentText();
  r.v_type = v_type_->currentText();
  r.max_tokens = max_tokens_->value();
  r.temperature = temperature_->value();
  r.top_k = top_k_->value();
  r.top_p = top_p_->value();
  r.min_p = 0.0;
  r.seed = qulonglong(seed_->value());
  history_.push_back({"user", text});
  transcript_->addMessage("user", text);
  transcript_->addMessage("assistant", {});
  prompt_->clear();
  streamed_tokens_ = 0;
  setBusy(true);
  status_->setText(tr("Generating…"));
  QMetaObject::invokeMethod(worker_, [w = worker_, r] { w->generate(r); }, Qt::QueuedConnection);
}

void ChatWorkspace::stop() {
  worker_->cancel();
  status_->setText(tr("Stopping…"));
}

void ChatWorkspace::onToken(const QString& text, float, long long context_used, long long kv_bytes) {
  transcript_->appendToLast(text);
  context_->setUsage(context_used, model_.context_length, kv_bytes);
  Q_EMIT tokenArrived(++streamed_tokens_);
}

void ChatWorkspace::onFinished(const GenerationStats& s) {
  history_.push_back({"assistant", transcript_->lastMessageText()});
  QString stats = tr("%1 tokens · %2 tok/s · prompt %3 tok at %4 tok/s · first token %5 ms · %6")
                      .arg(s.generated_tokens)
                      .arg(s.generation_tps, 0, 'f', 1)
                      .arg(s.prompt_tokens)
                      .arg(s.prompt_tps, 0, 'f', 1)
                      .arg(s.ttft_ms, 0, 'f', 1)
                      .arg(s.stop_reason);
  transcript_->setLastStats(stats);
  context_->setUsage(s.context_used, model_.context_length, s.kv_bytes);
  status_->setText(tr("Done: %1").arg(stats));
  Q_EMIT logMessage(tr("generation finished: %1").arg(stats));
  setBusy(false);
  Q_EMIT generationFinished();
}

void ChatWorkspace::onFailed(const QString& message) {
  setBusy(false);
  status_->setText(tr("Generation failed."));
  Q_EMIT logMessage(tr("generation failed: %1").arg(message));
  QMessageBox::warning(this, tr("Generation failed"), message);
  Q_EMIT generationFinished();
}

QString ChatWorkspace::statusText() const { return status_->text(); }

void ChatWorkspace::setBusy(bool busy) {
  busy_ = busy;
  send_->setEnabled(!busy && !model_.path.isEmpty());
  stop_->setEnabled(busy);
  k_type_->setEnabled(!busy);
  v_type_->setEnabled(!busy);
}

void ChatWorkspace::rememberRecent(const QString& path) {
  QSettings settings;
  QStringList recent = settings.value("chat/recentModels").toStringList();
  recent.removeAll(path);
  recent.prepend(path);
  while (recent.size() > kMaxRecent) recent.removeLast();
  settings.setValue("chat/recentModels", recent);
  refreshRecent();
}

void ChatWorkspace::refreshRecent() {
  recent_->clear();
  for (const QString& p : QSettings().value("chat/recentModels").toStringList()) recent_->addItem(QFileInfo(p).fileName(), p);
  recent_->setCurrentIndex(-1);
}

void ChatWorkspace::setCacheTypes(const QString& k_type, const QString& v_type) {
  k_type_->setCurrentText(k_type);
  v_type_->setCurrentText(v_type);
}

void ChatWorkspace::updateKvEstimate() {
  if (model_.path.isEmpty()) {
    kv_estimate_->setText(tr("Open a model to see the KV memory."));
    return;
  }
  QString error;
  const long long total = kv_bytes_at_context(model_, k_type_->currentText(), v_type_->currentText(), &error);
  if (total < 0) {
    kv_estimate_->setText(error);
    return;
  }
  kv_estimate_->setText(tr("%1 per token · %2 at the full context of %3")
                            .arg(views::format_bytes(total / std::max<long long>(1, model_.context_length)))
                            .arg(views::format_bytes(total))
                            .arg(model_.context_length));
}

}  // namespace qs::workbench
