#include "core/llm/model/transformer.h"

#include "core/common/error.h"

namespace qs {
namespace {
at::Tensor project(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b = at::Tensor()) {
  at::Tensor y = at::matmul(x, w.t());
  return b.defined() ? y + b : y;
}
}  // namespace

Transformer::Transformer(const LoadedModel& model)
    : model_(model), rope_(model.config.rope_params(), model.weights.rope_freq_factors, model.weights.tok_embd.device()) {}

// RMSNorm in float32 whatever the compute dtype, as llama.cpp and transformers do.
at::Tensor Transformer::rms_norm(const at::Tensor& x, const at::Tensor& w) const {
  at::Tensor xf = x.to(at::kFloat);
  at::Tensor y = xf * at::rsqrt(xf.pow(2).mean(-1, true) + model_.config.norm_eps);
  return (y * w.to(at::kFloat)).to(x.scalar_type());
}

KvShape kv_shape_for(const ModelConfig& c, int64_t max_tokens, int64_t batch) {
  KvShape s;
  s.n_layers = c.n_layers, s.n_heads = c.n_heads, s.n_kv_heads = c.n_kv_heads, s.head_dim = c.head_dim;
  s.max_tokens = max_tokens;
  s.batch = batch;
  return s;
}

std::unique_ptr<KvCache> Transformer::make_cache(const std::string& k_type, const std::string& v_type, int64_t max_tokens, int64_t batch,
                                                 const KvOptions& options) const {
  KvShape s = kv_shape_for(model_.config, max_tokens, batch);
  s.device = device();
  s.compute_dtype = dtype();
  s.options = options;
  return create_kv_cache(s, k_type, v_type);
}

void Transformer::fill_cache_randomly(KvCache& cache, int64_t batch, int64_t tokens, int64_t chunk) const {
  const ModelConfig& c = model_.config;
  if (chunk <= 0) fail(ErrorKind::kInvalidArgument, "fill: the chunk must be positive");
  const auto opt = at::TensorOptions().device(device()).dtype(dtype());
  for (int64_t done = 0; done < tokens;) {
    const int64_t T = std::min(chunk, tokens - done), start = cache.length();
    at::Tensor positions = at::arange(start, start + T, at::TensorOptions().dtype(at::kLong).device(device()));
    const RopeTable table = rope_.table(positions);
    // One draw per chunk serves every layer: the contents only have to be non-degenerate.
    at::Tensor hidden = at::randn({batch, T, c.dim}, opt);
    at::Tensor k = at::randn({batch, c.n_kv_heads, T, c.head_dim}, opt), v = at::randn_like(k);
    at::Tensor q;  // append reads no query
    AttentionInput in{q, k, v, positions, hidden, table};
    for (int64_t li = 0; li < c.n_layers; ++li) cache.append(int(li), in, rope_, nullptr);
    done += T;
  }
}

at::Tensor Transformer::forward(const at::Tensor& tokens_in, KvCache& cache, bool last_only, TapObserver* taps) const {
  const ModelConfig& c = model_.config;
  const ModelWeights& w = model_.weights;
  if (tokens_in.dim() != 2) fail(ErrorKind::kInvalidArgument, "forward: tokens must be [batch, time]");
  at::Tensor tokens = tokens_in.to(device(), at::kLong);
  // Range check where it is free: ids from the host (a device check would stall every step).
  if (tokens_in.device().is_cpu() && tokens_in.numel() > 0 && (tokens_in.min().item<int64_t>() < 0 || tokens_in.max().item<int64_t>() >= c.vocab))
    fail(ErrorKind::kInvalidArgument, "forward: token id outside the vocabulary of " + std::to_string(c.vocab));
  const int64_t B = tokens.size(0), T = tokens.size(1);
  const int64_t start = cache.length();
  at::Tensor positions = at::arange(start, start + T, at::TensorOptions().dtype(at::kLong).device(device()));

  const RopeTable rope_table = rope_.table(positions);
  at::Tensor x = at::embedding(w.tok_embd, tokens);  // [B, T, dim]
  for (int64_t li = 0; li < c.n_layers; ++li) {
    const int layer = int(li);
    const LayerWeights& l = w.layers[size_t(li)];
    emit_tap(taps, Tap::kLayerInput, layer, x);
    at::Tensor h = rms_norm(x, l.attn_norm);
    at::Tensor q = project(h, l.wq, l.bq).view({B, T, c.n_heads, c.head_dim}).transpose(1, 2);
    at::Tensor k = project(h, l.wk, l.bk).view({B, T, c.n_kv_heads, c.head_dim}).transpose(1, 2).contiguous();
    at::Tensor v = project(h, l.wv, l.bv).view({B, T, c.n_kv_heads, c.head_dim}).transpose(1, 2).contiguous();
    at::Tensor q_rot = rope_.apply(q, rope_table);
    emit_tap(taps, Tap::kKPreRope, layer, k);
    emit_tap(taps, Tap::kV, layer, v);
    emit_tap(taps, Tap::kQPostRope, layer, q_rot);
    AttentionInput in{q_rot, k, v, positions, x, rope_table};
    at::Tensor attn = cache.attend(layer, in, rope_, taps);  // [B, Hq, T, hd]
    emit_tap(taps, Tap::kAttnOutput, layer, attn);
    x = x + project(attn.transpose(1, 2).reshape({B, T, c.n_heads * c.head_dim}), l.wo);
    at::Tensor h2 = rms_norm(x, l.ffn_norm);
    x = x + project(at::silu(project(h2, l.w_gate)) * project(h2, l.w_up), l.w_down);
  }
  emit_tap(taps, Tap::kFinalHidden, int(c.n_layers), x);
  if (last_only) x = x.narrow(1, T - 1, 1);
  return project(rms_norm(x, w.out_norm), w.output).to(at::kFloat);
}

}  // namespace qs
