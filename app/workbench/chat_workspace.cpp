#include "app/workbench/chat_workspace.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QMimeData>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollArea>
#include <QSettings>
#include <QShortcut>
#include <QSpinBox>
#include <QSplitter>
#include <QDir>
#include <QStandardPaths>
#include <QTimer>
#include <QTabWidget>
#include <QVBoxLayout>

#include "core/llm/chat/chat_template.h"
#include "app/workbench/recent_files_combo.h"
#include "views/common/save_dialog.h"
#include "views/chat/chat_transcript_view.h"
#include "views/chat/context_bar.h"
#include "views/chat/key_value_table.h"

namespace qs::workbench {
namespace {

// A Llama-like cache shape for choosing a codec before any model is open.
KvShape kNominalShape() {
  KvShape s;
  s.n_layers = 32, s.n_heads = 32, s.n_kv_heads = 8, s.head_dim = 128, s.max_tokens = 4096;
  return s;
}

}  // namespace

namespace {
struct Preset {
  const char* name;
  double temperature;
  int top_k;
  double top_p;
};
constexpr Preset kPresets[] = {{"Deterministic (greedy)", 0.0, 1, 1.0}, {"Balanced", 0.8, 40, 0.95}, {"Creative", 1.1, 100, 0.98}};
const char* kLaneName[2] = {"A", "B"};
}  // namespace

ChatWorkspace::ChatWorkspace(QWidget* parent) : QWidget(parent) {
  qRegisterMetaType<ModelSummary>();
  qRegisterMetaType<GenerationRequest>();
  qRegisterMetaType<GenerationStats>();
  setAcceptDrops(true);

  // Left: model, sampling, cache configuration. Right: transcripts, prompt, context bar.
  auto* open_file = new QPushButton(tr("Open file…"));
  auto* open_folder = new QPushButton(tr("Open folder…"));
  recent_ = new RecentFilesCombo("chat/recentModels", tr("Recent and default models"), 20);
  recent_->setDefaults(default_models());
  metadata_ = new views::KeyValueTable;

  const QStringList types = kv_cache_type_names();
  auto* cache_box = new QGroupBox(tr("KV cache"));
  auto* cache_layout = new QVBoxLayout(cache_box);
  ab_ = new QCheckBox(tr("A/B: run every prompt through two caches"));
  calibrate_ = new QPushButton(tr("Calibrate RotateKV…"));
  calibrate_->setToolTip(tr("Compute this model's channel reorder for RotateKV from a text file that is not your evaluation text "
                            "(as quantiscope calibrate). Without it, use the option reorder=none."));
  for (int lane = 0; lane < 2; ++lane) {
    k_type_[size_t(lane)] = new QComboBox;
    v_type_[size_t(lane)] = new QComboBox;
    k_type_[size_t(lane)]->addItems(types);
    v_type_[size_t(lane)]->addItems(types);
    k_type_[size_t(lane)]->setToolTip(tr("How lane %1's cache stores keys: every registered KV codec (f16/f32: full precision)").arg(kLaneName[lane]));
    v_type_[size_t(lane)]->setToolTip(tr("How lane %1's cache stores values").arg(kLaneName[lane]));
    // A: the full-precision reference. B: until a model is open (onModelLoaded chooses for it),
    // the smallest registered codec that runs without calibration.
    const QString initial = lane == 0 ? QString("f16") : QString::fromStdString(smallest_runnable_kv_type(kNominalShape(), false));
    k_type_[size_t(lane)]->setCurrentText(initial);
    v_type_[size_t(lane)]->setCurrentText(initial);
    connect(k_type_[size_t(lane)], &QComboBox::activated, this, [this, lane] { if (lane == 1) lane_b_auto_ = false; });
    connect(v_type_[size_t(lane)], &QComboBox::activated, this, [this, lane] { if (lane == 1) lane_b_auto_ = false; });
    kv_options_[size_t(lane)] = new QLineEdit;
    kv_options_[size_t(lane)]->setPlaceholderText(tr("options, e.g. reorder=none"));
    kv_options_[size_t(lane)]->setToolTip(tr("As quantiscope --kv-opt key=value,…  RotateKV reads its calibrated reorder file from the default path "
                                             "(quantiscope calibrate); reorder=none runs it without one."));
    kv_estimate_[size_t(lane)] = new QLabel;
    kv_estimate_[size_t(lane)]->setWordWrap(true);
    auto* lane_box = new QWidget;
    auto* form = new QFormLayout(lane_box);
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(new QLabel(lane == 0 ? tr("<b>A</b>") : tr("<b>B</b>")));
    form->addRow(tr("K type"), k_type_[size_t(lane)]);
    form->addRow(tr("V type"), v_type_[size_t(lane)]);
    form->addRow(tr("Options"), kv_options_[size_t(lane)]);
    form->addRow(kv_estimate_[size_t(lane)]);
    if (lane == 1) {
      cache_layout->addWidget(calibrate_);
      cache_layout->addWidget(ab_);
      lane_b_box_ = lane_box;
    }
    cache_layout->addWidget(lane_box);
  }

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

  // Model facts and sampling share a tab widget so the metadata table gets the height it needs;
  // the cache choice stays visible below.
  auto* left_tabs = new QTabWidget;
  left_tabs->addTab(model_box, tr("Model"));
  left_tabs->addTab(sampling_box, tr("Sampling"));
  // The controls scroll instead of setting a tall minimum height: the window stays usable on a
  // laptop screen.
  auto* controls = new QWidget;
  auto* left_layout = new QVBoxLayout(controls);
  left_layout->setContentsMargins(0, 0, 0, 0);
  left_tabs->setMinimumHeight(200);
  left_layout->addWidget(left_tabs, 1);
  left_layout->addWidget(cache_box);
  auto* left = new QScrollArea;
  left->setWidget(controls);
  left->setWidgetResizable(true);
  left->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  left->setMinimumWidth(300);

  auto* transcripts = new QSplitter;
  for (int lane = 0; lane < 2; ++lane) {
    transcripts_[size_t(lane)] = new views::ChatTranscriptView;
    transcripts->addWidget(transcripts_[size_t(lane)]);
  }
  prompt_ = new QPlainTextEdit;
  prompt_->setPlaceholderText(tr("Type a prompt (Ctrl+Enter sends)"));
  prompt_->setMaximumHeight(90);
  prompt_->setObjectName("prompt");
  prompt_->setTabChangesFocus(true);  // Tab leaves the prompt, as in every form
  send_ = new QPushButton(tr("Send"));
  stop_ = new QPushButton(tr("Stop"));
  regenerate_ = new QPushButton(tr("Regenerate"));
  continue_ = new QPushButton(tr("Continue"));
  auto* clear = new QPushButton(tr("New chat"));
  auto* save = new QPushButton(tr("Save…"));
  auto* load = new QPushButton(tr("Load…"));
  save->setToolTip(tr("Save the conversation as JSON (model hash, cache types and sampling inside)"));
  for (auto [button, tip] : {std::pair<QPushButton*, QString>{send_, tr("Send the prompt to every lane (Ctrl+Enter)")},
                             {stop_, tr("Stop now: the token being made is the last one shown (Esc)")},
                             {regenerate_, tr("Replace the last reply (a sampled one gets a new seed)")},
                             {continue_, tr("Let the model carry on from where the last reply stopped")},
                             {clear, tr("Start an empty conversation (asks first if this one is not saved)")},
                             {load, tr("Open a conversation saved by Quantiscope")}})
    button->setToolTip(tip);
  context_ = new views::ContextBar;
  status_ = new QLabel(tr("No model loaded."));
  status_->setWordWrap(true);
  divergence_ = new QLabel;
  divergence_->setWordWrap(true);
  auto* buttons = new QHBoxLayout;
  for (QPushButton* b : {clear, save, load}) buttons->addWidget(b);
  buttons->addStretch(1);
  for (QPushButton* b : {regenerate_, continue_, stop_, send_}) buttons->addWidget(b);
  auto* right = new QWidget;
  auto* right_layout = new QVBoxLayout(right);
  right_layout->setContentsMargins(0, 0, 0, 0);
  right_layout->addWidget(transcripts, 1);
  right_layout->addWidget(divergence_);
  right_layout->addWidget(prompt_);
  right_layout->addWidget(context_);
  right_layout->addLayout(buttons);
  right_layout->addWidget(status_);

  auto* split = new QSplitter;
  split->addWidget(left);
  split->addWidget(right);
  split->setStretchFactor(1, 1);
  split->setSizes({340, 900});
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(split);

  worker_ = new LlmWorker;
  thread_ = std::make_unique<WorkerThread>(worker_);
  connect(worker_, &LlmWorker::modelLoaded, this, &ChatWorkspace::onModelLoaded);
  connect(worker_, &LlmWorker::loadFailed, this, &ChatWorkspace::onLoadFailed);
  connect(worker_, &LlmWorker::token, this, &ChatWorkspace::onToken);
  connect(worker_, &LlmWorker::finished, this, &ChatWorkspace::onFinished);
  connect(worker_, &LlmWorker::failed, this, &ChatWorkspace::onFailed);
  connect(worker_, &LlmWorker::calibrationProgress, this, [this](long long done, long long total) {
    status_->setText(tr("Calibrating: window %1 of %2…").arg(done).arg(total));
  });
  connect(worker_, &LlmWorker::calibrated, this, [this](const QString& path, const QString& summary) {
    setBusy(false);
    model_.reorder_found = path;
    chooseLaneBDefault();
    status_->setText(tr("Calibrated (%1): %2").arg(summary, path));
    Q_EMIT logMessage(tr("RotateKV reorder written to %1 (%2)").arg(path, summary));
    Q_EMIT calibrationFinished(true);
  });
  connect(worker_, &LlmWorker::calibrationFailed, this, [this](const QString& message) {
    setBusy(false);
    status_->setText(message.contains("cancelled") ? tr("Calibration cancelled.") : tr("Calibration failed."));
    Q_EMIT logMessage(tr("calibration: %1").arg(message));
    if (!message.contains("cancelled")) QMessageBox::warning(this, tr("Calibration"), tr("%1\n\nPick a plain text file with at least a few thousand tokens.").arg(message));
    Q_EMIT calibrationFinished(false);
  });

  autosave_timer_ = new QTimer(this);
  autosave_timer_->setInterval(5000);
  connect(autosave_timer_, &QTimer::timeout, this, &ChatWorkspace::autosave);

  connect(open_file, &QPushButton::clicked, this, &ChatWorkspace::chooseModelFile);
  connect(open_folder, &QPushButton::clicked, this, &ChatWorkspace::chooseModelFolder);
  connect(recent_, &RecentFilesCombo::chosen, this, [this](const QString& path) { openModel(path); });
  connect(send_, &QPushButton::clicked, this, &ChatWorkspace::send);
  connect(stop_, &QPushButton::clicked, this, &ChatWorkspace::stop);
  connect(regenerate_, &QPushButton::clicked, this, &ChatWorkspace::regenerate);
  connect(calibrate_, &QPushButton::clicked, this, [this] {
    if (model_.path.isEmpty()) return;
    const QString path = QFileDialog::getOpenFileName(this, tr("Calibration text (not your evaluation text)"), QSettings().value("chat/lastDir").toString(),
                                                      tr("Text (*.txt *.jsonl *.raw *.md);;All files (*)"));
    if (!path.isEmpty()) calibrate(path);
  });
  connect(continue_, &QPushButton::clicked, this, &ChatWorkspace::continueReply);
  connect(clear, &QPushButton::clicked, this, [this] {
    resetLanes();
    divergence_->clear();
    context_used_ = 0;
    context_->setUsage(0, model_.context_length, 0);
    updateKvEstimate();
    discardAutosave();  // an empty chat has nothing to keep
  });
  connect(save, &QPushButton::clicked, this, [this] {
    const QString path = views::ask_save_path(this, tr("Save the conversation"), QSettings().value("chat/lastDir").toString(), tr("Conversation (*.json)"), "json");
    QString error;
    if (!path.isEmpty() && !saveConversation(path, &error)) QMessageBox::warning(this, tr("Save"), error);
  });
  connect(load, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Load a conversation"), QSettings().value("chat/lastDir").toString(), tr("Conversation (*.json)"));
    QString error;
    if (!path.isEmpty() && !loadConversation(path, &error)) QMessageBox::warning(this, tr("Load"), tr("%1\n\nPick a conversation saved by Quantiscope.").arg(error));
  });
  connect(preset_, qOverload<int>(&QComboBox::currentIndexChanged), this, &ChatWorkspace::applyPreset);
  connect(ab_, &QCheckBox::toggled, this, &ChatWorkspace::setAbMode);
  connect(max_tokens_, qOverload<int>(&QSpinBox::valueChanged), this, &ChatWorkspace::updateKvEstimate);
  for (int lane = 0; lane < 2; ++lane) {
    connect(k_type_[size_t(lane)], &QComboBox::currentTextChanged, this, &ChatWorkspace::updateKvEstimate);
    connect(v_type_[size_t(lane)], &QComboBox::currentTextChanged, this, &ChatWorkspace::updateKvEstimate);
  }
  auto* shortcut = new QShortcut(sendShortcut(), prompt_);
  connect(shortcut, &QShortcut::activated, this, &ChatWorkspace::send);
  auto* stop_key = new QShortcut(QKeySequence(Qt::Key_Escape), this, nullptr, nullptr, Qt::WidgetWithChildrenShortcut);
  connect(stop_key, &QShortcut::activated, this, &ChatWorkspace::stop);

  // The choices of the last session come back (QSettings), starting from greedy f16 vs RotateKV.
  QSettings settings;
  const int preset = settings.value("chat/preset", 0).toInt();
  preset_->setCurrentIndex(preset);
  applyPreset(preset);
  max_tokens_->setValue(settings.value("chat/maxTokens", 200).toInt());
  for (int lane = 0; lane < 2; ++lane) {
    const QString key = QString("chat/lane%1/").arg(lane);
    showCacheTypes(settings.value(key + "k", k_type_[size_t(lane)]->currentText()).toString(), settings.value(key + "v", v_type_[size_t(lane)]->currentText()).toString(), lane);
    kv_options_[size_t(lane)]->setText(settings.value(key + "options").toString());
  }
  lane_b_auto_ = !settings.contains("chat/lane1/k");
  setAbMode(settings.value("chat/ab", false).toBool());
  setBusy(false);
}

void ChatWorkspace::dragEnterEvent(QDragEnterEvent* e) {
  if (e->mimeData()->hasUrls()) e->acceptProposedAction();
}

// A dropped .json is a conversation; anything else is a model (file or folder).
void ChatWorkspace::dropEvent(QDropEvent* e) {
  for (const QUrl& url : e->mimeData()->urls()) {
    if (!url.isLocalFile()) continue;
    const QString path = url.toLocalFile();
    e->acceptProposedAction();
    QString error;
    if (path.endsWith(".json", Qt::CaseInsensitive)) {
      if (!loadConversation(path, &error)) QMessageBox::warning(this, tr("Load"), error);
    } else {
      openModel(path);
    }
    return;
  }
}

ChatWorkspace::~ChatWorkspace() {
  QSettings settings;
  settings.setValue("chat/preset", preset_->currentIndex());
  settings.setValue("chat/maxTokens", max_tokens_->value());
  settings.setValue("chat/ab", ab_->isChecked());
  for (int lane = 0; lane < 2; ++lane) {
    const QString key = QString("chat/lane%1/").arg(lane);
    settings.setValue(key + "k", k_type_[size_t(lane)]->currentText());
    settings.setValue(key + "v", v_type_[size_t(lane)]->currentText());
    settings.setValue(key + "options", kv_options_[size_t(lane)]->text());
  }
}

int ChatWorkspace::laneCount() const { return ab_->isChecked() ? 2 : 1; }

void ChatWorkspace::applyPreset(int index) {
  if (index < 0 || index >= int(std::size(kPresets))) return;
  temperature_->setValue(kPresets[index].temperature);
  top_k_->setValue(kPresets[index].top_k);
  top_p_->setValue(kPresets[index].top_p);
}

void ChatWorkspace::setPreset(int index) { preset_->setCurrentIndex(index); }

void ChatWorkspace::setAbMode(bool on) {
  if (ab_->isChecked() != on) ab_->setChecked(on);  // re-enters through toggled
  lane_b_box_->setEnabled(on);
  transcripts_[1]->setVisible(on);
  // B starts from A's conversation so far, so both lanes answer the same history.
  // Its copies of A's replies say whose they are, and its heading says B has not run, until it has.
  if (on && history_[1].empty() && !history_[0].empty()) {
    history_[1] = history_[0];
    for (const auto& m : transcripts_[0]->messages())
      transcripts_[1]->addMessage(m.role, m.text, m.role == "assistant" ? tr("A's reply, copied when A/B was turned on (not produced by B's cache)") : m.stats);
    lane_b_copied_ = true;
  }
  updateKvEstimate();
}

// Lane B, while the user has not chosen it: the smallest cache that runs on this model as it is
// (RotateKV's only when the model's reorder is calibrated or shipped), with the reason shown.
void ChatWorkspace::chooseLaneBDefault() {
  if (!lane_b_auto_) return;
  const bool reorder = !model_.reorder_found.isEmpty();
  const QString best = QString::fromStdString(smallest_runnable_kv_type(kv_shape_of(model_), reorder));
  if (best.isEmpty()) return;
  showCacheTypes(best, best, 1);
  lane_b_reason_ = reorder ? tr("B: %1, the smallest cache for this model (its RotateKV reorder: %2)").arg(best, model_.reorder_found)
                           : tr("B: %1, the smallest cache that needs no calibration; RotateKV needs this model's channel reorder first "
                                "(Calibrate RotateKV…, on a text that is not your evaluation text)").arg(best);
}

void ChatWorkspace::resetLanes() {
  for (int lane = 0; lane < 2; ++lane) {
    history_[size_t(lane)].clear();
    transcripts_[size_t(lane)]->clearMessages();
  }
  lane_b_copied_ = false;
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
  resetLanes();
  chooseLaneBDefault();
  recent_->remember(s.path);
  context_used_ = 0;
  updateKvEstimate();
  context_->setUsage(0, s.context_length, 0);
  setBusy(false);
  status_->setText(lane_b_auto_ ? tr("Loaded %1. %2").arg(s.path, lane_b_reason_) : tr("Loaded %1").arg(s.path));
  Q_EMIT logMessage(tr("model ready: %1").arg(s.path));
  Q_EMIT modelReady(s.path);
}

void ChatWorkspace::onLoadFailed(const QString& message) {
  setBusy(false);
  Q_EMIT modelFailed(message);
  status_->setText(tr("Could not load the model."));
  Q_EMIT logMessage(tr("load failed: %1").arg(message));
  QMessageBox::warning(this, tr("Could not open the model"),
                       tr("%1\n\nCheck that the file is a GGUF, llama2.c checkpoint (with its tokenizer .bin beside it) or a Hugging Face folder.").arg(message));
}

void ChatWorkspace::setPrompt(const QString& text) { prompt_->setPlainText(text); }
void ChatWorkspace::setMaxTokens(int n) { max_tokens_->setValue(n); }
void ChatWorkspace::setKvOptions(const QString& options, int lane) { kv_options_[size_t(lane)]->setText(options); }

QString ChatWorkspace::kType(int lane) const { return k_type_[size_t(lane)]->currentText(); }

void ChatWorkspace::showCacheTypes(const QString& k_type, const QString& v_type, int lane) {
  k_type_[size_t(lane)]->setCurrentText(k_type);
  v_type_[size_t(lane)]->setCurrentText(v_type);
}

void ChatWorkspace::setCacheTypes(const QString& k_type, const QString& v_type, int lane) {
  showCacheTypes(k_type, v_type, lane);
  if (lane == 1) lane_b_auto_ = false;  // a choice: opening a model no longer replaces it
}

GenerationRequest ChatWorkspace::request(int lane, Turn turn) const {
  GenerationRequest r;
  r.lane = lane;
  if (!system_->toPlainText().trimmed().isEmpty()) r.messages.push_back({"system", system_->toPlainText()});
  r.messages.insert(r.messages.end(), history_[size_t(lane)].begin(), history_[size_t(lane)].end());
  r.continue_last = turn == Turn::kContinue;
  r.chat_template = template_->currentData().toString();
  r.k_type = k_type_[size_t(lane)]->currentText();
  r.v_type = v_type_[size_t(lane)]->currentText();
  r.kv_options = kv_options_[size_t(lane)]->text().trimmed();
  r.max_tokens = max_tokens_->value();
  r.temperature = temperature_->value();
  r.top_k = top_k_->value();
  r.top_p = top_p_->value();
  r.min_p = 0.0;
  r.seed = qulonglong(seed_->value());
  return r;
}

void ChatWorkspace::send() {
  if (busy_ || model_.path.isEmpty()) return;
  const QString text = prompt_->toPlainText();
  if (text.trimmed().isEmpty()) return;
  for (int lane = 0; lane < laneCount(); ++lane) {
    history_[size_t(lane)].push_back({"user", text});
    transcripts_[size_t(lane)]->addMessage("user", text);
    transcripts_[size_t(lane)]->addMessage("assistant", {});
  }
  prompt_->clear();
  start(Turn::kNew);
}

void ChatWorkspace::regenerate() {
  if (busy_ || model_.path.isEmpty() || transcripts_[0]->lastRole() != "assistant") return;
  for (int lane = 0; lane < laneCount(); ++lane) {
    auto& h = history_[size_t(lane)];
    if (!h.empty() && h.back().first == "assistant") h.pop_back();
    transcripts_[size_t(lane)]->removeLastMessage();
    transcripts_[size_t(lane)]->addMessage("assistant", {});
  }
  // A sampled reply gets a new seed, as LM Studio does; a greedy one is simply recomputed.
  if (temperature_->value() > 0) seed_->setValue(seed_->value() + 1);
  start(Turn::kNew);
}

void ChatWorkspace::calibrate(const QString& text_path, bool ask) {
  if (busy_ || model_.path.isEmpty()) return;
  const bool exists = QFileInfo::exists(model_.reorder_path);
  if (exists && ask &&
      QMessageBox::question(this, tr("Calibrate RotateKV"), tr("%1 already holds this model's reorder. Replace it?").arg(model_.reorder_path)) != QMessageBox::Yes)
    return;
  worker_->resetCancel();
  setBusy(true);
  status_->setText(tr("Calibrating on %1…").arg(QFileInfo(text_path).fileName()));
  QMetaObject::invokeMethod(worker_, [w = worker_, text_path, exists] { w->calibrate(text_path, 32768, exists); }, Qt::QueuedConnection);
}

void ChatWorkspace::continueReply() {
  if (busy_ || model_.path.isEmpty() || transcripts_[0]->lastRole() != "assistant") return;
  start(Turn::kContinue);
}

void ChatWorkspace::start(Turn turn) {
  dirty_ = true;  // a new message or reply is coming
  worker_->resetCancel();
  lanes_running_ = laneCount();
  streamed_tokens_ = 0;
  stopping_ = false;
  divergence_->clear();
  setBusy(true);
  status_->setText(turn == Turn::kContinue ? tr("Continuing…") : tr("Generating…"));
  turn_ = turn;
  for (int lane = 0; lane < laneCount(); ++lane) {
    const GenerationRequest r = request(lane, turn);
    QMetaObject::invokeMethod(worker_, [w = worker_, r] { w->generate(r); }, Qt::QueuedConnection);
  }
}

void ChatWorkspace::stop() {
  if (!busy_) return;
  worker_->cancel();
  stopping_ = true;  // tokens the engine made before it saw the request are not shown
  status_->setText(tr("Stopping…"));
}

void ChatWorkspace::onToken(int lane, int id, const QString& text, float probability, long long context_used, long long kv_bytes) {
  if (stopping_) return;
  transcripts_[size_t(lane)]->appendToken(text, probability, id);
  if (lane == 0) context_->setUsage(context_used, model_.context_length, kv_bytes);
  Q_EMIT tokenArrived(++streamed_tokens_);
}

void ChatWorkspace::onFinished(int lane, const GenerationStats& s) {
  auto& h = history_[size_t(lane)];
  const QString reply = transcripts_[size_t(lane)]->lastMessageText();
  if (turn_ == Turn::kContinue && !h.empty() && h.back().first == "assistant")
    h.back().second = reply;
  else
    h.push_back({"assistant", reply});
  last_stats_[size_t(lane)] = s;
  if (lane == 1 && lane_b_copied_) {
    lane_b_copied_ = false;
    updateKvEstimate();  // the heading no longer says B has not run
  }
  // The prompt's whole length, and how much of it this lane's cache already held: a lane that
  // ran the earlier turns reuses them, a fresh lane computes them all (they read "1 tok" and
  // "20 tok" for the same prompt before).
  const QString prompt = s.cached_prompt_tokens > 0 ? tr("prompt %1 tok (%2 reused, %3 computed at %4 tok/s)")
                                                          .arg(s.prompt_tokens + s.cached_prompt_tokens)
                                                          .arg(s.cached_prompt_tokens)
                                                          .arg(s.prompt_tokens)
                                                          .arg(s.prompt_tps, 0, 'f', 1)
                                                    : tr("prompt %1 tok at %2 tok/s").arg(s.prompt_tokens).arg(s.prompt_tps, 0, 'f', 1);
  const QString stats = tr("%1 tokens · %2 tok/s · %3 · first token %4 ms · KV %5 · %6")
                            .arg(s.generated_tokens)
                            .arg(s.generation_tps, 0, 'f', 1)
                            .arg(prompt)
                            .arg(s.ttft_ms, 0, 'f', 1)
                            .arg(views::format_bytes(s.kv_bytes))
                            .arg(s.stop_reason);
  transcripts_[size_t(lane)]->setLastStats(stats);
  if (lane == 0) {
    context_->setUsage(s.context_used, model_.context_length, s.kv_bytes);
    context_used_ = s.context_used;
    updateKvEstimate();
  }
  status_->setText(tr("Done: %1").arg(stats));
  Q_EMIT logMessage(tr("generation %1 finished (%2/%3): %4").arg(kLaneName[lane], k_type_[size_t(lane)]->currentText(), v_type_[size_t(lane)]->currentText(), stats));
  dirty_ = true;
  autosave();
  laneDone();
}

void ChatWorkspace::onFailed(int lane, const QString& message) {
  if (stopping_ && message.contains("cancelled")) {
    // Stopped before this lane began: its reply stays empty and says so (the lanes keep the same
    // turns), with no error to acknowledge.
    auto& h = history_[size_t(lane)];
    if (turn_ == Turn::kNew) h.push_back({"assistant", QString()});
    transcripts_[size_t(lane)]->setLastStats(tr("not run: stopped before cache %1 started").arg(kLaneName[lane]));
    Q_EMIT logMessage(tr("generation %1 not run: stopped").arg(kLaneName[lane]));
    laneDone();
    return;
  }
  auto* t = transcripts_[size_t(lane)];
  if (laneCount() == 2 && turn_ == Turn::kNew) {
    // A/B: the lanes keep the same turns. The failed lane keeps the user's message with an
    // empty reply that says why, so Regenerate (after a fix) reruns both lanes on that message;
    // undoing only this lane's turn left it a turn behind, and its next run had no user
    // message ("prompt 1 tok", unrelated text).
    history_[size_t(lane)].push_back({"assistant", QString()});
    t->setLastStats(tr("failed: %1").arg(message));
  } else if (turn_ == Turn::kNew && t->lastRole() == "assistant") {
    // One lane: undo the turn so the history stays a valid conversation, the prompt back in its box.
    t->removeLastMessage();
    auto& h = history_[size_t(lane)];
    if (!h.empty() && h.back().first == "user") {
      prompt_->setPlainText(h.back().second);
      h.pop_back();
      t->removeLastMessage();
    }
  }
  status_->setText(tr("Generation failed."));
  Q_EMIT logMessage(tr("generation %1 failed: %2").arg(kLaneName[lane], message));
  const QString hint = message.contains("no channel-reorder file")
                           ? tr("\n\nPress “Calibrate RotateKV…” beside the cache types (on a text that is not your evaluation text), or set the option reorder=none.")
                           : QString();
  QMessageBox::warning(this, tr("Generation failed"),
                       tr("Cache %1 (%2 / %3): %4%5").arg(kLaneName[lane], k_type_[size_t(lane)]->currentText(), v_type_[size_t(lane)]->currentText(), message, hint));
  laneDone();
}

void ChatWorkspace::laneDone() {
  if (--lanes_running_ > 0) return;
  if (laneCount() == 2) compareLanes();
  setBusy(false);
  Q_EMIT generationFinished();
}

// The first generated token where A and B differ, marked in both transcripts.
void ChatWorkspace::compareLanes() {
  const auto& a = transcripts_[0]->messages(), &b = transcripts_[1]->messages();
  if (a.empty() || b.empty() || a.back().role != "assistant" || b.back().role != "assistant") return;
  const auto& ia = a.back().ids, &ib = b.back().ids;
  size_t i = 0;
  while (i < ia.size() && i < ib.size() && ia[i] == ib[i]) ++i;
  if (i == ia.size() && i == ib.size()) {
    divergence_->setText(tr("A and B produced the same %1 tokens.").arg(ia.size()));
    return;
  }
  transcripts_[0]->markDivergence(i < ia.size() ? int(i) : -1);
  transcripts_[1]->markDivergence(i < ib.size() ? int(i) : -1);
  auto describe = [](const views::ChatTranscriptView::Message& m, size_t k) {
    return k < m.ids.size() ? QString("“%1” (p = %2)").arg(m.pieces[k]).arg(double(m.probabilities[k]), 0, 'f', 3) : QObject::tr("(end of reply)");
  };
  divergence_->setText(tr("<b>First divergent token: #%1</b> — A %2 vs B %3. Hover any token for its probability.")
                           .arg(i + 1)
                           .arg(describe(a.back(), i).toHtmlEscaped(), describe(b.back(), i).toHtmlEscaped()));
}

QString ChatWorkspace::statusText() const { return status_->text(); }
QString ChatWorkspace::divergenceText() const { return divergence_->text(); }

void ChatWorkspace::setBusy(bool busy) {
  busy_ = busy;
  if (autosave_timer_) busy ? autosave_timer_->start() : autosave_timer_->stop();
  const bool ready = !busy && !model_.path.isEmpty();
  send_->setEnabled(ready);
  regenerate_->setEnabled(ready);
  continue_->setEnabled(ready);
  calibrate_->setEnabled(ready);
  stop_->setEnabled(busy);
  ab_->setEnabled(!busy);
  for (int lane = 0; lane < 2; ++lane) {
    k_type_[size_t(lane)]->setEnabled(!busy);
    v_type_[size_t(lane)]->setEnabled(!busy);
    kv_options_[size_t(lane)]->setEnabled(!busy);
  }
}

void ChatWorkspace::updateKvEstimate() {
  for (int lane = 0; lane < 2; ++lane) {
    QLabel* label = kv_estimate_[size_t(lane)];
    const QString k = k_type_[size_t(lane)]->currentText(), v = v_type_[size_t(lane)]->currentText();
    QString heading = ab_->isChecked() ? tr("%1 · K %2 / V %3").arg(kLaneName[lane], k, v) : QString();
    if (lane == 1 && lane_b_copied_ && !heading.isEmpty()) heading += tr(" · not run yet: the replies below are A's");
    transcripts_[size_t(lane)]->setHeading(heading);
    if (model_.path.isEmpty()) {
      label->setText(tr("Open a model to see the KV memory."));
      continue;
    }
    QString error;
    const long long total = kv_bytes_at_context(model_, k, v, &error);
    if (total < 0) {
      label->setText(error);
      continue;
    }
    const long long used = kv_bytes_at_context(model_, k, v, nullptr, context_used_ + max_tokens_->value());
    label->setText(tr("%1/token · %2 for this chat (%3 + %4 new tokens) · %5 at the full %6")
                       .arg(views::format_bytes(total / std::max<long long>(1, model_.context_length)))
                       .arg(views::format_bytes(used))
                       .arg(context_used_)
                       .arg(max_tokens_->value())
                       .arg(views::format_bytes(total))
                       .arg(model_.context_length));
  }
}

Conversation ChatWorkspace::conversation() const {
  Conversation c;
  c.model_path = model_.path;
  c.model_sha256 = metadata_->value("sha256");
  c.ab_mode = ab_->isChecked();
  for (int lane = 0; lane < 2; ++lane) {
    c.lanes[lane] = {k_type_[size_t(lane)]->currentText(), v_type_[size_t(lane)]->currentText(), kv_options_[size_t(lane)]->text()};
    for (const auto& m : transcripts_[size_t(lane)]->messages()) c.messages[lane].push_back({m.role, m.text, m.stats, m.ids, m.pieces, m.probabilities});
  }
  c.context_tokens = context_used_;
  c.preset = preset_->currentText();
  c.chat_template = template_->currentData().toString();
  c.system_prompt = system_->toPlainText();
  c.temperature = temperature_->value();
  c.top_k = top_k_->value();
  c.top_p = top_p_->value();
  c.max_tokens = max_tokens_->value();
  c.seed = qulonglong(seed_->value());
  return c;
}

bool ChatWorkspace::writeConversation(const QString& path) const {
  QSaveFile f(path);  // written whole or not at all
  return f.open(QIODevice::WriteOnly) && f.write(conversation_to_json(conversation())) >= 0 && f.commit();
}

bool ChatWorkspace::saveConversation(const QString& path, QString* error) {
  if (!writeConversation(path)) {
    if (error) *error = tr("Could not write %1: check the folder exists and is writable.").arg(path);
    return false;
  }
  dirty_ = false;
  QSettings().setValue("chat/lastDir", QFileInfo(path).absolutePath());
  Q_EMIT logMessage(tr("conversation saved to %1").arg(path));
  return true;
}

bool ChatWorkspace::loadConversation(const QString& path, QString* error) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) {
    if (error) *error = tr("Cannot read %1.").arg(path);
    return false;
  }
  if (f.size() > (64 << 20)) {
    if (error) *error = tr("%1 is %2 MiB: too large for a conversation.").arg(path).arg(f.size() >> 20);
    return false;
  }
  Conversation c;
  QString why;
  if (!conversation_from_json(f.readAll(), &c, &why)) {
    if (error) *error = tr("%1: %2").arg(QFileInfo(path).fileName(), why);
    return false;
  }
  // What the transcript can lay out: a message of millions of lines would take gigabytes.
  constexpr qsizetype kMaxMessageChars = qsizetype(1) << 20;
  for (int lane = 0; lane < 2; ++lane)
    for (size_t i = 0; i < c.messages[lane].size(); ++i)
      if (c.messages[lane][i].content.size() > kMaxMessageChars) {
        if (error)
          *error = tr("%1: message %2 of lane %3 has %4 characters, more than the transcript shows (%5)")
                       .arg(QFileInfo(path).fileName()).arg(i + 1).arg(kLaneName[lane]).arg(c.messages[lane][i].content.size()).arg(kMaxMessageChars);
        return false;
      }
  // Cache types this build does not have are refused, not silently shown as another type.
  for (int lane = 0; lane < 2; ++lane)
    for (const QString& type : {c.lanes[lane].k_type, c.lanes[lane].v_type})
      if (k_type_[size_t(lane)]->findText(type) < 0) {
        QStringList known;
        for (int i = 0; i < k_type_[size_t(lane)]->count(); ++i) known << k_type_[size_t(lane)]->itemText(i);
        if (error) *error = tr("%1: lane %2 uses the KV cache type '%3', which this build does not have (it has: %4)").arg(QFileInfo(path).fileName()).arg(kLaneName[lane], type, known.join(", "));
        return false;
      }
  if (busy_) stop();
  {
    const QSignalBlocker block(preset_);
    preset_->setCurrentText(c.preset);
  }
  temperature_->setValue(c.temperature);
  top_k_->setValue(c.top_k);
  top_p_->setValue(c.top_p);
  max_tokens_->setValue(c.max_tokens);
  seed_->setValue(int(c.seed));
  const int t = template_->findData(c.chat_template);
  template_->setCurrentIndex(t < 0 ? 0 : t);
  system_->setPlainText(c.system_prompt);
  resetLanes();
  for (int lane = 0; lane < 2; ++lane) {
    setCacheTypes(c.lanes[lane].k_type, c.lanes[lane].v_type, lane);
    kv_options_[size_t(lane)]->setText(c.lanes[lane].kv_options);
    std::vector<views::ChatTranscriptView::Message> shown;
    for (const auto& m : c.messages[lane]) {
      views::ChatTranscriptView::Message v;
      v.role = m.role, v.text = m.content, v.stats = m.stats;
      v.ids = m.ids, v.pieces = m.pieces, v.probabilities = m.probabilities;
      shown.push_back(std::move(v));
      if (m.role != "system") history_[size_t(lane)].push_back({m.role, m.content});
    }
    transcripts_[size_t(lane)]->setMessages(std::move(shown));  // one layout pass, not one per message
  }
  setAbMode(c.ab_mode);
  if (c.ab_mode) compareLanes();  // the divergence mark of the last replies, from their saved tokens
  context_used_ = c.context_tokens;
  context_->setUsage(context_used_, model_.context_length, 0);
  updateKvEstimate();
  const QString open_hash = metadata_->value("sha256");
  if (!c.model_sha256.isEmpty() && !open_hash.isEmpty() && open_hash != c.model_sha256)
    status_->setText(tr("Loaded a conversation made with another model (%1, sha256 %2…); replies from here on come from the open model.")
                         .arg(QFileInfo(c.model_path).fileName(), c.model_sha256.left(12)));
  else
    status_->setText(tr("Loaded conversation %1").arg(QFileInfo(path).fileName()));
  Q_EMIT logMessage(tr("conversation loaded from %1").arg(path));
  dirty_ = false;
  return true;
}

}  // namespace qs::workbench

namespace qs::workbench {

QString ChatWorkspace::autosavePath() const {
  return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/autosave/chat.json";
}

void ChatWorkspace::autosave() {
  bool any = false;
  for (int lane = 0; lane < 2; ++lane) any |= !transcripts_[size_t(lane)]->messages().empty();
  if (!any) return;
  const QString path = autosavePath();
  QDir().mkpath(QFileInfo(path).absolutePath());
  static bool warned = false;  // one line, not one per reply
  if (!writeConversation(path) && !warned) {
    warned = true;
    Q_EMIT logMessage(tr("autosave: cannot write %1; conversations are not protected against a crash").arg(path));
  }
}

void ChatWorkspace::discardAutosave() {
  QFile::remove(autosavePath());
  dirty_ = false;
}

void ChatWorkspace::restoreAutosave() {
  const QString path = autosavePath();
  if (!QFileInfo::exists(path)) return;
  if (busy_ && model_.path.isEmpty() && !restore_on_model_) {  // a model is loading: its arrival clears the transcript
    restore_on_model_ = true;
    connect(this, &ChatWorkspace::modelReady, this, [this] {
      restore_on_model_ = false;
      restoreAutosave();
    }, Qt::SingleShotConnection);
    return;
  }
  QString error;
  if (!loadConversation(path, &error)) {
    // Never delete what may be the user's only copy: set it aside and say where.
    const QString aside = path + ".unreadable";
    QFile::remove(aside);
    QFile::rename(path, aside);
    Q_EMIT logMessage(tr("autosave: could not restore the last conversation (%1); kept as %2").arg(error, aside));
    return;
  }
  dirty_ = true;  // restored, not saved anywhere by the user
  Q_EMIT logMessage(tr("restored the conversation autosaved before the last exit (%1)").arg(path));
  Q_EMIT autosaveRestored(path);
}

}  // namespace qs::workbench
