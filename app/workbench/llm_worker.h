// Runs the LLM engine on its own thread for the Chat workspace. The GUI talks to it through
// queued signals; Stop cancels through a shared token, so the GUI never waits on the engine.
#pragma once
#include <QObject>
#include <QString>
#include <QStringList>
#include <memory>
#include <utility>
#include <vector>

#include "app/workbench/engine_worker.h"
#include "core/kv/kv_cache.h"

namespace qs::workbench {

struct ModelSummary {
  QString path;
  std::vector<std::pair<QString, QString>> rows;  // metadata panel
  long long context_length = 0;
  long long n_layers = 0, n_heads = 0, n_kv_heads = 0, head_dim = 0;  // the KV cache's shape
  QString detected_template;
  QString reorder_path;   // where RotateKV's calibrated reorder file for this model is looked up
  QString reorder_found;  // the reorder file a cache would use now (calibrated or shipped), or ""
};

struct GenerationRequest {
  int lane = 0;  // 0 = A, 1 = B (A/B mode runs the same prompt through two cache configurations)
  std::vector<std::pair<QString, QString>> messages;  // (role, content)
  bool continue_last = false;  // the last message is a partial assistant reply to extend
  QString chat_template;  // name, or "" for the model's own
  QString k_type = "f32", v_type = "f32";
  QString kv_options;  // "key=value,..." as quantiscope --kv-opt
  int max_tokens = 128;
  double temperature = 0.8, top_p = 0.95, min_p = 0.05;
  int top_k = 40;
  qulonglong seed = 0;
};

struct GenerationStats {
  int prompt_tokens = 0, generated_tokens = 0;
  int cached_prompt_tokens = 0;  // of the prompt, reused from this lane's cache (not recomputed)
  double prompt_tps = 0, generation_tps = 0, ttft_ms = 0;
  QString stop_reason;
  long long context_used = 0, kv_bytes = 0;
};

class LlmWorker : public EngineWorker {
  Q_OBJECT
 public:
  LlmWorker();
  ~LlmWorker() override;

 public Q_SLOTS:
  void loadModel(const QString& path, const QString& tokenizer);
  void generate(const qs::workbench::GenerationRequest& request);
  // RotateKV's channel-reorder calibration on a text file (the first max_tokens tokens), written
  // to the model's default reorder path (replacing a file there only with overwrite).
  void calibrate(const QString& text_path, long long max_tokens, bool overwrite);

 Q_SIGNALS:
  void modelLoaded(const qs::workbench::ModelSummary& summary);
  void loadFailed(const QString& message);
  // context_used: tokens in the KV cache after this one, kv_bytes: the cache's memory. text is
  // "" while a character or stop string is incomplete (the id still counts).
  void token(int lane, int id, const QString& text, float probability, long long context_used, long long kv_bytes);
  void finished(int lane, const qs::workbench::GenerationStats& stats);
  void failed(int lane, const QString& message);
  void calibrationProgress(long long done, long long total);
  void calibrated(const QString& path, const QString& summary);
  void calibrationFailed(const QString& message);

 private:
  struct Engine;
  std::unique_ptr<Engine> engine_;
};

// Every registered KV cache type (full precision and codecs), for the selectors.
QStringList kv_cache_type_names();

// KV bytes of the K/V cache types holding `tokens` tokens (default: the model's full context;
// codes, metadata and everything kept in full precision; sinks at their maximum), or -1 with
// `error` set when the pair is not valid.
long long kv_bytes_at_context(const ModelSummary& model, const QString& k_type, const QString& v_type, QString* error, long long tokens = -1);

// The cache shape of the model at `tokens` (default: its full context), batch 1.
KvShape kv_shape_of(const ModelSummary& model, long long tokens = -1);

}  // namespace qs::workbench

Q_DECLARE_METATYPE(qs::workbench::ModelSummary)
Q_DECLARE_METATYPE(qs::workbench::GenerationRequest)
Q_DECLARE_METATYPE(qs::workbench::GenerationStats)
