#include "core/llm/model/model_config.h"

#include "core/common/error.h"

namespace qs {

void ModelConfig::validate() const {
  auto positive = [](int64_t v, const char* name, int64_t hi) {
    if (v <= 0 || v > hi) fail_format(std::string("model: ") + name + "=" + std::to_string(v) + " is out of range");
  };
  positive(dim, "dim", 1 << 17);
  positive(n_layers, "n_layers", 4096);
  positive(n_heads, "n_heads", 4096);
  positive(n_kv_heads, "n_kv_heads", 4096);
  positive(head_dim, "head_dim", 1 << 12);
  positive(ffn_dim, "ffn_dim", 1 << 20);
  positive(vocab, "vocab", 1 << 22);
  positive(context_length, "context_length", 1 << 24);
  if (n_heads % n_kv_heads != 0) fail_format("model: n_heads (" + std::to_string(n_heads) + ") is not a multiple of n_kv_heads (" + std::to_string(n_kv_heads) + ")");
  if (head_dim % 2 != 0) fail_format("model: head_dim must be even for RoPE");
  if (!(norm_eps > 0 && norm_eps < 1)) fail_format("model: RMSNorm epsilon is out of range");
  if (!(rope_theta > 0)) fail_format("model: RoPE theta must be positive");
}

int64_t ModelConfig::parameter_count() const {
  int64_t attn = dim * n_heads * head_dim * 2 + dim * n_kv_heads * head_dim * 2;
  int64_t ffn = 3 * dim * ffn_dim;
  int64_t per_layer = attn + ffn + 2 * dim;
  return vocab * dim * (tied_output ? 1 : 2) + n_layers * per_layer + dim;
}

}  // namespace qs
