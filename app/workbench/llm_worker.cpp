#include "app/workbench/llm_worker.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <map>

#include "core/common/device.h"
#include "core/common/error.h"
#include "core/kv/channel_reorder.h"
#include "core/kv/kv_cache.h"
#include "core/kv/kv_side.h"
#include "core/llm/calibrate/reorder_calibration.h"
#include "core/llm/chat/chat_template.h"
#include "core/llm/generate/generator.h"
#include "core/llm/model/transformer.h"
#include "core/llm/tokenizer/tokenizer.h"

namespace qs::workbench {

struct LlmWorker::Engine {
  std::unique_ptr<LoadedModel> model;
  std::unique_ptr<Transformer> transformer;
  // One generator (and cache) per lane, rebuilt when the lane's cache configuration changes,
  // so each lane keeps its cached prefix across turns.
  std::map<int, std::unique_ptr<Generator>> generators;
  std::map<int, QString> configs;
};

LlmWorker::LlmWorker() = default;
LlmWorker::~LlmWorker() = default;

QStringList kv_cache_type_names() {
  QStringList out;
  for (const auto& t : kv_cache_types()) out << QString::fromStdString(t);
  return out;
}

KvShape kv_shape_of(const ModelSummary& m, long long tokens) {
  KvShape s;
  s.n_layers = m.n_layers, s.n_heads = m.n_heads, s.n_kv_heads = m.n_kv_heads, s.head_dim = m.head_dim;
  s.max_tokens = tokens > 0 ? std::min(tokens, m.context_length) : m.context_length;
  return s;
}

long long kv_bytes_at_context(const ModelSummary& m, const QString& k_type, const QString& v_type, QString* error, long long tokens) {
  const KvShape s = kv_shape_of(m, tokens);
  try {
    KvFootprint f = kv_footprint(s, k_type.toStdString(), v_type.toStdString());
    return f.k.bytes + f.v.bytes;
  } catch (const std::exception& e) {
    if (error) *error = QString::fromStdString(first_line(e.what()));
    return -1;
  }
}

// RotateKV's reorder file is looked up at its default path (named after the model hash).
static KvOptions kv_options_for(const LoadedModel& model, const QString& text) {
  KvOptions o = KvOptions::parse(text.toStdString());
  o.reorder_source = reorder_source_for(model, "");
  return o;
}

void LlmWorker::loadModel(const QString& path, const QString& tokenizer) {
  try {
    LoadOptions o;
    o.tokenizer_path = tokenizer.toStdString();
    auto e = std::make_unique<Engine>();
    e->model = load_model(path.toStdString(), o);
    e->transformer = std::make_unique<Transformer>(*e->model);
    const ModelConfig& c = e->model->config;
    ModelSummary s;
    s.path = path;
    s.context_length = c.context_length;
    s.n_layers = c.n_layers, s.n_heads = c.n_heads, s.n_kv_heads = c.n_kv_heads, s.head_dim = c.head_dim;
    s.detected_template = chat_template_name(detect_chat_template(e->model->chat_template));
    s.reorder_path = QString::fromStdString(default_reorder_path(e->model->file_hash()));
    s.reorder_found = QString::fromStdString(found_reorder_path(*e->model));
    auto q = [](const auto& v) { return QString::fromStdString(v); };
    s.rows = {{"file", path},
              {"format", q(e->model->format)},
              {"architecture", q(c.arch)},
              {"parameters", QString::number(c.parameter_count())},
              {"layers", QString::number(c.n_layers)},
              {"heads / KV heads", QString("%1 / %2").arg(c.n_heads).arg(c.n_kv_heads)},
              {"head_dim", QString::number(c.head_dim)},
              {"hidden / ffn", QString("%1 / %2").arg(c.dim).arg(c.ffn_dim)},
              {"vocabulary", QString::number(c.vocab)},
              {"context length", QString::number(c.context_length)},
              {"dtype (file → compute)", q(e->model->file_dtype) + " → " + q(dtype_name(e->model->weights.tok_embd.scalar_type()))},
              {"RoPE", QString("θ=%1, %2, scaling %3").arg(c.rope_theta).arg(c.rope_style == RopeStyle::kAdjacent ? "adjacent pairs" : "rotate-half").arg(q(c.rope_scaling.type))},
              {"tokenizer", q(e->model->tokenizer->name())},
              {"chat template", s.detected_template + (e->model->chat_template.empty() ? " (none in file)" : " (detected)")},
              {"sha256", q(e->model->file_hash())}};
    engine_ = std::move(e);
    Q_EMIT modelLoaded(s);
  } catch (const std::exception& ex) {
    Q_EMIT loadFailed(QString::fromStdString(first_line(ex.what())));
  }
}

void LlmWorker::generate(const GenerationRequest& r) {
  if (!engine_) {
    Q_EMIT failed(r.lane, tr("Open a model first."));
    return;
  }
  try {
    Engine& e = *engine_;
    const QString config = r.k_type + "|" + r.v_type + "|" + r.kv_options;
    std::unique_ptr<Generator>& generator = e.generators[r.lane];
    if (!generator || e.configs[r.lane] != config) {
      generator.reset();  // free the old cache first
      generator = std::make_unique<Generator>(*e.transformer, e.transformer->make_cache(r.k_type.toStdString(), r.v_type.toStdString(), e.model->config.context_length, 1,
                                                                                        kv_options_for(*e.model, r.kv_options)));
      e.configs[r.lane] = config;
    }
    ChatTemplate tmpl = r.chat_template.isEmpty() ? detect_chat_template(e.model->chat_template) : chat_template_from_name(r.chat_template.toStdString());
    std::vector<ChatMessage> messages;
    for (const auto& [role, content] : r.messages) messages.push_back({role.toStdString(), content.toStdString()});
    // Continue: template the conversation up to the partial reply, then the reply's text as is
    // (no end-of-turn), so the model carries on where it stopped.
    std::string partial;
    if (r.continue_last && !messages.empty() && messages.back().role == "assistant") {
      partial = messages.back().content;
      messages.pop_back();
    }
    std::string prompt = apply_chat_template(tmpl, messages, true) + partial;
    std::vector<int32_t> ids = e.model->tokenizer->encode(prompt, true, true);
    GenerateOptions o;
    o.max_new_tokens = r.max_tokens;
    o.sampling.temperature = float(r.temperature);
    o.sampling.top_k = r.top_k;
    o.sampling.top_p = float(r.top_p);
    o.sampling.min_p = float(r.min_p);
    o.sampling.seed = r.seed;
    KvCache& cache = generator->cache();
    const int lane = r.lane;
    GenerateResult res = generator->generate(ids, o, [this, &cache, lane](const TokenEvent& ev) {
      Q_EMIT token(lane, ev.id, QString::fromStdString(ev.text), ev.probability, cache.length(), cache.memory().total());
    }, cancel_);
    GenerationStats s;
    s.prompt_tokens = res.timings.prompt_tokens;
    s.cached_prompt_tokens = res.timings.cached_prompt_tokens;
    s.generated_tokens = res.timings.generated_tokens;
    s.prompt_tps = res.timings.prompt_tokens_per_second();
    s.generation_tps = res.timings.generation_tokens_per_second();
    s.ttft_ms = res.timings.time_to_first_token * 1000;
    s.stop_reason = QString::fromStdString(res.stop_reason);
    s.context_used = cache.length();
    s.kv_bytes = cache.memory().total();
    Q_EMIT finished(lane, s);
  } catch (const std::exception& ex) {
    Q_EMIT failed(r.lane, QString::fromStdString(first_line(ex.what())));
  }
}

void LlmWorker::calibrate(const QString& text_path, long long max_tokens, bool overwrite) {
  try {
    if (!engine_) fail(ErrorKind::kInvalidArgument, "open a model first");
    std::string summary;
    const std::string out = calibrate_default_reorder(*engine_->transformer, *engine_->model, text_path.toStdString(), max_tokens, overwrite,
                                                      [this](long long done, long long total) { Q_EMIT calibrationProgress(done, total); }, cancel_, &summary);
    // Lanes built with the old (or no) reorder must pick the new file up.
    engine_->generators.clear();
    engine_->configs.clear();
    Q_EMIT calibrated(QString::fromStdString(out), QString::fromStdString(summary));
  } catch (const std::exception& ex) {
    Q_EMIT calibrationFailed(QString::fromStdString(first_line(ex.what())));
  }
}

}  // namespace qs::workbench
