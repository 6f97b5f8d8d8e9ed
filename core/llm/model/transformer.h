// The Llama-family decoder forward pass in LibTorch. Keys and values go through a KvCache;
// taps see the tensors the forward really uses.
#pragma once
#include <ATen/ATen.h>

#include <memory>

#include "core/kv/kv_cache.h"
#include "core/nn/rope.h"
#include "core/llm/model/weights.h"

namespace qs {

// The KV cache shape of a model's configuration (layers, heads, KV heads, head_dim) holding
// max_tokens tokens for `batch` sequences; device, dtype and options left at their defaults.
KvShape kv_shape_for(const ModelConfig& config, int64_t max_tokens, int64_t batch = 1);

class Transformer {
 public:
  // Borrows the model: it must outlive the Transformer.
  explicit Transformer(const LoadedModel& model);

  // tokens: [B, T] int64 on any device. Appends to `cache` (positions continue from
  // cache.length()) and returns logits [B, T, vocab] in float32, or [B, 1, vocab] for the last
  // position only when last_only (saves the big output matmul during prefill).
  at::Tensor forward(const at::Tensor& tokens, KvCache& cache, bool last_only = false, TapObserver* taps = nullptr) const;

  // Speed benchmarks only: appends `tokens` random keys, values and layer inputs per sequence of a
  // cache built for `batch` to every layer through KvCache::append, `chunk` tokens per call, so a
  // long context fills without the prefill's matrix products or attention (contents meaningless).
  void fill_cache_randomly(KvCache& cache, int64_t batch, int64_t tokens, int64_t chunk) const;

  // A cache of the given types sized for this model.
  std::unique_ptr<KvCache> make_cache(const std::string& k_type, const std::string& v_type, int64_t max_tokens, int64_t batch = 1,
                                      const KvOptions& options = KvOptions()) const;

  const ModelConfig& config() const { return model_.config; }
  const LoadedModel& model() const { return model_; }
  at::Device device() const { return model_.weights.tok_embd.device(); }
  at::ScalarType dtype() const { return model_.weights.tok_embd.scalar_type(); }

 private:
  at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& w) const;
  const LoadedModel& model_;
  Rope rope_;
};

}  // namespace qs
