#include "app/workbench/inspector_workspace.h"

#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>
#include <algorithm>

#include "app/workbench/recent_files_combo.h"
#include "app/workbench/llm_worker.h"
#include "core/common/data_path.h"
#include "views/inspector/attention_view.h"
#include "views/inspector/channel_profile_view.h"
#include "views/inspector/heatmap_view.h"
#include "views/inspector/histogram_view.h"
#include "views/inspector/saliency_strip.h"
#include "views/inspector/token_bars_view.h"

namespace qs::workbench {
namespace {
// A real text to start from: the head of the TinyStories validation file when present.
QString default_text() {
  QFile f(QString::fromStdString(data_file("eval/tinystories/TinyStories-valid.head.txt")));
  if (f.open(QIODevice::ReadOnly)) return QString::fromUtf8(f.read(900)).section('\n', 0, -2);
  return "Once upon a time, there was a little girl named Lily. She loved to play outside in the sunshine.";
}

double max_of(const Grid& a, const Grid& b) {
  double m = 0;
  for (float x : a.values) m = std::max(m, double(x));
  for (float x : b.values) m = std::max(m, double(x));
  return m;
}

QWidget* side_by_side(QWidget* a, QWidget* b, Qt::Orientation o = Qt::Horizontal) {
  auto* s = new QSplitter(o);
  s->addWidget(a);
  s->addWidget(b);
  return s;
}
}  // namespace

InspectorWorkspace::InspectorWorkspace(QWidget* parent) : QWidget(parent) {
  qRegisterMetaType<InspectRequest>();
  qRegisterMetaType<InspectSummary>();
  qRegisterMetaType<InspectLayer>();

  auto* open = new QPushButton(tr("Open file…"));
  auto* open_folder = new QPushButton(tr("Folder…"));
  open_folder->setToolTip(tr("Open a Hugging Face model folder"));
  recent_ = new RecentFilesCombo("chat/recentModels", tr("Recent and default models"), 14);
  recent_->setDefaults(default_models());
  model_info_ = new QLabel(tr("No model."));
  model_info_->setWordWrap(true);
  auto* model_box = new QGroupBox(tr("Model"));
  auto* model_layout = new QVBoxLayout(model_box);
  auto* open_row = new QHBoxLayout;
  open_row->addWidget(open);
  open_row->addWidget(open_folder);
  open_row->addWidget(recent_, 1);
  model_layout->addLayout(open_row);
  model_layout->addWidget(model_info_);

  text_ = new QPlainTextEdit(default_text());
  text_->setMinimumHeight(110);
  auto* load_text = new QPushButton(tr("Load text file…"));
  max_tokens_ = new QSpinBox;
  max_tokens_->setRange(8, 2048);
  max_tokens_->setValue(128);
  auto* text_box = new QGroupBox(tr("Text"));
  auto* text_layout = new QVBoxLayout(text_box);
  text_layout->addWidget(text_);
  auto* text_row = new QFormLayout;
  text_row->addRow(load_text);
  text_row->addRow(tr("First tokens"), max_tokens_);
  text_layout->addLayout(text_row);

  k_type_ = new QComboBox;
  v_type_ = new QComboBox;
  k_type_->addItems(kv_cache_type_names());
  v_type_->addItems(kv_cache_type_names());
  // The codec is chosen when a model opens (the smallest that runs on it), until the user picks one.
  connect(k_type_, &QComboBox::activated, this, [this] { codec_auto_ = false; });
  connect(v_type_, &QComboBox::activated, this, [this] { codec_auto_ = false; });
  kv_options_ = new QLineEdit;
  kv_options_->setPlaceholderText(tr("key=value,… e.g. reorder=none, group=16"));
  kv_options_->setToolTip(tr("Codec options, as quantiscope --kv-opt. RotateKV reads its calibrated reorder file from the default path "
                             "(quantiscope calibrate); reorder=none runs it without one."));
  analyze_ = new QPushButton(tr("Analyze"));
  cancel_ = new QPushButton(tr("Cancel"));
  calibrate_ = new QPushButton(tr("Calibrate RotateKV…"));
  calibrate_->setToolTip(tr("Compute this model's channel reorder for RotateKV from a text file that is not the text you analyze "
                            "(as quantiscope calibrate); the Chat uses the same file."));
  busy_bar_ = new QProgressBar;
  busy_bar_->setRange(0, 0);  // one forward pass: no steps to count, just "working"
  busy_bar_->setTextVisible(false);
  busy_bar_->setMaximumHeight(8);
  status_ = new QLabel;
  status_->setWordWrap(true);
  auto* codec_box = new QGroupBox(tr("KV codec"));
  auto* codec_form = new QFormLayout(codec_box);
  codec_form->addRow(tr("K type"), k_type_);
  codec_form->addRow(tr("V type"), v_type_);
  codec_form->addRow(tr("Options"), kv_options_);
  codec_form->addRow(calibrate_);
  auto* run_row = new QHBoxLayout;
  run_row->addWidget(analyze_);
  run_row->addWidget(cancel_);
  codec_form->addRow(run_row);
  codec_form->addRow(busy_bar_);
  codec_form->addRow(status_);

  layer_ = new QSpinBox;
  kv_head_ = new QSpinBox;
  q_head_ = new QSpinBox;
  auto* pick_box = new QGroupBox(tr("Look at"));
  auto* pick_form = new QFormLayout(pick_box);
  pick_form->addRow(tr("Layer"), layer_);
  pick_form->addRow(tr("KV head"), kv_head_);
  pick_form->addRow(tr("Query head"), q_head_);
  pick_form->addRow(new QLabel(tr("<small>Click a cell of the layers × heads grid (Attention page) to open it.</small>")));

  auto* left = new QWidget;
  auto* left_layout = new QVBoxLayout(left);
  for (QWidget* w : std::initializer_list<QWidget*>{model_box, text_box, codec_box, pick_box}) left_layout->addWidget(w);
  left_layout->addStretch(1);
  auto* scroll = new QScrollArea;
  scroll->setWidget(left);
  scroll->setWidgetResizable(true);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  scroll->setMinimumWidth(300);

  profile_ = new views::ChannelProfileView;
  k_before_ = new views::HeatmapView(tr("|K| before the rotation (post-RoPE)"));
  k_after_ = new views::HeatmapView(tr("|K| after the rotation (storage basis)"));
  v_before_ = new views::HeatmapView(tr("|V| before the rotation"));
  v_after_ = new views::HeatmapView(tr("|V| after the rotation (storage basis)"));
  for (auto* h : {k_before_, k_after_, v_before_, v_after_}) h->setAxisLabels(tr("channel"), tr("token"), "|x|");
  histogram_ = new views::HistogramView;
  token_error_ = new views::TokenBarsView;
  attention_ = new views::AttentionView;
  overview_ = new views::HeatmapView(tr("Layers × query heads: attention on token 0 (click to open)"));
  overview_->setAxisLabels(tr("query head"), tr("layer"), tr("share"));
  massive_ = new views::HeatmapView(tr("Massive activations: max |h| per token and layer input"));
  massive_->setAxisLabels(tr("token"), tr("layer"), tr("max |h|"));
  strip_ = new views::SaliencyStrip;
  strip_panel_ = new views::PlotPanel(tr("Saliency strip"), strip_);
  strip_panel_->setCsv([this] { return strip_->csv(); });

  pages_ = new QTabWidget;
  pages_->addTab(profile_, tr("Channels"));
  pages_->addTab(side_by_side(k_before_, k_after_), tr("K heatmaps"));
  pages_->addTab(side_by_side(v_before_, v_after_), tr("V heatmaps"));
  pages_->addTab(side_by_side(histogram_, token_error_, Qt::Vertical), tr("Quantization error"));
  pages_->addTab(side_by_side(attention_, overview_), tr("Attention"));
  pages_->addTab(massive_, tr("Massive activations"));
  pages_->addTab(strip_panel_, tr("Saliency"));

  auto* split = new QSplitter;
  split->addWidget(scroll);
  split->addWidget(pages_);
  split->setStretchFactor(1, 1);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(split);

  worker_ = new InspectorWorker;
  thread_ = std::make_unique<WorkerThread>(worker_);
  connect(worker_, &InspectorWorker::modelLoaded, this, [this](const QString& path, const QString& description, const QString& codec, const QString& why) {
    model_loaded_ = true;
    recent_->remember(path);
    model_info_->setText(QFileInfo(path).fileName() + "\n" + description);
    setBusy(false);
    if (codec_auto_ && !codec.isEmpty()) {
      k_type_->setCurrentText(codec);
      v_type_->setCurrentText(codec);
    }
    status_->setText(codec_auto_ ? tr("Model ready: press Analyze. Codec %1").arg(why) : tr("Model ready: press Analyze."));
    Q_EMIT logMessage(tr("inspector model ready: %1").arg(path));
    Q_EMIT modelReady(path);
  });
  connect(worker_, &InspectorWorker::analyzed, this, [this](const InspectSummary& s) {
    summary_ = s;
    {
      const QSignalBlocker b1(layer_), b2(kv_head_), b3(q_head_);
      layer_->setRange(0, s.n_layers - 1);
      kv_head_->setRange(0, s.n_kv_heads - 1);
      q_head_->setRange(0, s.n_heads - 1);
    }
    double top = 0;
    for (float x : s.sink_share.values) top = std::max(top, double(x));
    overview_->setData(s.sink_share, 0, std::max(top, 1e-6));
    setBusy(false);
    status_->setText(tr("%1 tokens through %2 / %3%4").arg(s.tokens.size()).arg(s.k_type, s.v_type).arg(s.codec_rotates ? "" : tr(" (no rotation: before = after)")));
    Q_EMIT logMessage(tr("inspector: %1").arg(status_->text()));
    requestSelection();
    Q_EMIT analysisReady();
  });
  connect(worker_, &InspectorWorker::layerReady, this, &InspectorWorkspace::onLayer);
  connect(worker_, &InspectorWorker::failed, this, [this](const QString& message) {
    setBusy(false);
    if (message.contains("cancelled")) {
      status_->setText(tr("Cancelled."));
      return;
    }
    status_->setText(tr("Failed: %1").arg(message));
    Q_EMIT logMessage(tr("inspector error: %1").arg(message));
    QMessageBox::warning(this, tr("KV Inspector"), tr("%1\n\nOpen a model, type or load a text, then Analyze.").arg(message));
  });

  connect(open, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open model"), {}, tr("Models (*.gguf *.bin *.safetensors);;All files (*)"));
    if (!path.isEmpty()) openModel(path);
  });
  connect(open_folder, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getExistingDirectory(this, tr("Open a Hugging Face model folder"));
    if (!path.isEmpty()) openModel(path);
  });
  connect(recent_, &RecentFilesCombo::chosen, this, &InspectorWorkspace::openModel);
  connect(load_text, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Load a text"), {}, tr("Text (*.txt *.md *.raw);;All files (*)"));
    QFile f(path);
    if (path.isEmpty()) return;
    if (!f.open(QIODevice::ReadOnly)) {
      QMessageBox::warning(this, tr("Load text"), tr("Cannot read %1.").arg(path));
      return;
    }
    text_->setPlainText(QString::fromUtf8(f.read(1 << 20)));  // the first MiB is far more than the token limit
  });
  connect(analyze_, &QPushButton::clicked, this, &InspectorWorkspace::analyze);
  connect(calibrate_, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Calibration text (not the text you analyze)"), QString(), tr("Text (*.txt *.jsonl *.raw *.md);;All files (*)"));
    if (!path.isEmpty()) calibrate(path);
  });
  connect(worker_, &InspectorWorker::calibrated, this, [this](const QString& path, const QString& summary, const QString& codec) {
    setBusy(false);
    if (codec_auto_ && !codec.isEmpty()) {
      k_type_->setCurrentText(codec);
      v_type_->setCurrentText(codec);
    }
    status_->setText(tr("Calibrated (%1): %2. Codec %3").arg(summary, path, k_type_->currentText()));
    Q_EMIT logMessage(tr("inspector: RotateKV reorder written to %1 (%2)").arg(path, summary));
    Q_EMIT calibrationFinished(true);
  });
  connect(cancel_, &QPushButton::clicked, this, [this] {
    worker_->cancel();
    status_->setText(tr("Cancelling…"));
  });
  connect(layer_, qOverload<int>(&QSpinBox::valueChanged), this, &InspectorWorkspace::requestSelection);
  connect(q_head_, qOverload<int>(&QSpinBox::valueChanged), this, [this](int q) {
    // The query head belongs to one KV head (grouped-query attention).
    if (summary_.n_kv_heads > 0) {
      const QSignalBlocker b(kv_head_);
      kv_head_->setValue(q / std::max(1, summary_.n_heads / summary_.n_kv_heads));
    }
    requestSelection();
  });
  connect(kv_head_, qOverload<int>(&QSpinBox::valueChanged), this, [this](int kv) {
    const int group = std::max(1, summary_.n_heads / std::max(1, summary_.n_kv_heads));
    const QSignalBlocker b(q_head_);
    if (q_head_->value() / group != kv) q_head_->setValue(kv * group);
    requestSelection();
  });
  connect(overview_, &views::HeatmapView::cellClicked, this, [this](int row, int col) {
    const int group = std::max(1, summary_.n_heads / std::max(1, summary_.n_kv_heads));
    selectHead(row, col / group, col);
  });
  QSettings settings;
  if (settings.contains("inspector/k"))
    setCodec(settings.value("inspector/k").toString(), settings.value("inspector/v").toString(), settings.value("inspector/options").toString());
  max_tokens_->setValue(settings.value("inspector/maxTokens", 128).toInt());
  setBusy(false);
}

InspectorWorkspace::~InspectorWorkspace() {
  QSettings settings;
  settings.setValue("inspector/k", k_type_->currentText());
  settings.setValue("inspector/v", v_type_->currentText());
  settings.setValue("inspector/options", kv_options_->text());
  settings.setValue("inspector/maxTokens", max_tokens_->value());
}

QString InspectorWorkspace::statusText() const { return status_->text(); }

std::vector<views::PlotPanel*> InspectorWorkspace::plots() const {
  return {profile_, k_before_, k_after_, v_before_, v_after_, histogram_, token_error_, attention_, overview_, massive_, strip_panel_};
}

void InspectorWorkspace::openModel(const QString& path) {
  setBusy(true);
  status_->setText(tr("Loading %1…").arg(path));
  QMetaObject::invokeMethod(worker_, [w = worker_, path] { w->loadModel(path); }, Qt::QueuedConnection);
}

void InspectorWorkspace::setText(const QString& text) { text_->setPlainText(text); }
void InspectorWorkspace::setMaxTokens(int n) { max_tokens_->setValue(n); }
void InspectorWorkspace::setCodec(const QString& k, const QString& v, const QString& kv_options) {
  codec_auto_ = false;  // a choice: opening a model no longer replaces it
  k_type_->setCurrentText(k);
  v_type_->setCurrentText(v);
  kv_options_->setText(kv_options);
}

void InspectorWorkspace::analyze() {
  if (busy_) return;
  if (!model_loaded_) {
    QMessageBox::information(this, tr("KV Inspector"), tr("Open a model first."));
    return;
  }
  InspectRequest r;
  r.text = text_->toPlainText();
  r.k_type = k_type_->currentText();
  r.v_type = v_type_->currentText();
  r.kv_options = kv_options_->text().trimmed();
  r.max_tokens = max_tokens_->value();
  setBusy(true);
  status_->setText(tr("Running %1 / %2…").arg(r.k_type, r.v_type));
  worker_->resetCancel();
  QMetaObject::invokeMethod(worker_, [w = worker_, r] { w->analyze(r); }, Qt::QueuedConnection);
}

void InspectorWorkspace::selectHead(int layer, int kv_head, int q_head) {
  {
    const QSignalBlocker b1(layer_), b2(kv_head_), b3(q_head_);
    layer_->setValue(layer);
    kv_head_->setValue(kv_head);
    q_head_->setValue(q_head);
  }
  requestSelection();
}

void InspectorWorkspace::requestSelection() {
  if (summary_.tokens.isEmpty()) return;
  const int l = layer_->value(), kv = kv_head_->value(), q = q_head_->value();
  QMetaObject::invokeMethod(worker_, [w = worker_, l, kv, q] { w->select(l, kv, q); }, Qt::QueuedConnection);
}

void InspectorWorkspace::onLayer(const InspectLayer& d) {
  const QString where = tr("layer %1 · KV head %2").arg(d.layer).arg(d.kv_head);
  const QString after = summary_.codec_rotates ? tr("after %1's rotation (storage basis)").arg(summary_.k_type) : tr("stored (no rotation)");
  profile_->setData(d.k_channel_max_before, d.k_channel_max_after, summary_.adjacent_rope_pairs, after);
  profile_->setTitle(profile_->title() + " · " + where);
  const double k_hi = max_of(d.k_before, d.k_after), v_hi = max_of(d.v_before, d.v_after);
  k_before_->setTitle(tr("|K| before the rotation · %1 · scale locked 0–%2").arg(where).arg(k_hi, 0, 'g', 3));
  k_after_->setTitle(tr("|K| %1 · same scale").arg(after));
  v_before_->setTitle(tr("|V| before the rotation · %1 · scale locked 0–%2").arg(where).arg(v_hi, 0, 'g', 3));
  v_after_->setTitle(tr("|V| %1 · same scale").arg(summary_.v_type));
  k_before_->setData(d.k_before, 0, k_hi);
  k_after_->setData(d.k_after, 0, k_hi);
  v_before_->setData(d.v_before, 0, v_hi);
  v_after_->setData(d.v_after, 0, v_hi);

  histogram_->setData(d.k_error, d.v_error);
  histogram_->setTitle(tr("Quantization error x − dequant(x) · %1 · %2 / %3").arg(where, summary_.k_type, summary_.v_type));
  std::vector<bool> fp;
  std::vector<int> kept;
  for (size_t t = 0; t < d.k_bits.size(); ++t) {
    fp.push_back(d.k_bits[t] == 0);
    if (d.k_bits[t] == 0) kept.push_back(int(t));
  }
  token_error_->setData(d.k_rel_error, d.v_rel_error, fp);
  token_error_->setTitle(tr("Relative error per token · green: kept in full precision by %1").arg(summary_.k_type));

  // Sinks: keys that receive at least 10 % of all this head's attention.
  std::vector<int> sinks;
  double total = 0;
  for (double r : d.attention_received) total += r;
  for (size_t k = 0; k < d.attention_received.size(); ++k)
    if (total > 0 && d.attention_received[k] >= 0.1 * total) sinks.push_back(int(k));
  attention_->setData(d.attention, d.attention_received, sinks);
  attention_->setTitle(tr("Attention · layer %1 · query head %2 · green: sinks (≥ 10 % of all attention)").arg(d.layer).arg(d.q_head));

  // Marks only mean something when the codec keeps some tokens and quantizes others.
  const bool some_quantized = kept.size() < d.k_bits.size();
  double m_hi = 0;
  for (float x : summary_.massive.values) m_hi = std::max(m_hi, double(x));
  massive_->setData(summary_.massive, 0, m_hi, some_quantized ? kept : std::vector<int>{});
  massive_->setTitle(some_quantized ? tr("Massive activations: max |h| per token and layer · ▼ tokens %1 keeps in full precision at layer %2").arg(summary_.k_type).arg(d.layer)
                                    : tr("Massive activations: max |h| per token and layer (%1 keeps every token)").arg(summary_.k_type));
  strip_->setData(summary_.tokens, d.attention_received_layer, d.k_bits);
  strip_panel_->setTitle(tr("Saliency strip · layer %1 (attention averaged over its query heads) · classes of %2 keys").arg(d.layer).arg(summary_.k_type));
  Q_EMIT layerShown(d.layer, d.kv_head, d.q_head);
}

void InspectorWorkspace::calibrate(const QString& text_path) {
  if (busy_ || !model_loaded_) return;
  worker_->resetCancel();
  setBusy(true);
  status_->setText(tr("Calibrating on %1…").arg(QFileInfo(text_path).fileName()));
  // An existing calibration is kept (the worker says so); the Chat's action asks and replaces it.
  QMetaObject::invokeMethod(worker_, [w = worker_, text_path] { w->calibrate(text_path, 32768, false); }, Qt::QueuedConnection);
}

void InspectorWorkspace::setBusy(bool busy) {
  busy_ = busy;
  analyze_->setEnabled(!busy);
  calibrate_->setEnabled(!busy && model_loaded_);
  cancel_->setEnabled(busy);
  busy_bar_->setVisible(busy);
}

}  // namespace qs::workbench
