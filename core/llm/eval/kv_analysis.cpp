#include "core/llm/eval/kv_analysis.h"

#include <cmath>

#include "core/common/error.h"
#include "core/kv/channel_reorder.h"
#include "core/kv/hadamard.h"

namespace qs {

double channel_outlier_ratio(const at::Tensor& m) {
  const double mean = m.mean().item<double>();
  return mean > 0 ? m.max().item<double>() / mean : 0.0;
}

namespace {

// Accumulates per-layer channel maxima and attention shares over the analysed windows.
class Collector : public TapObserver {
 public:
  Collector(const ModelConfig& c, const KvAnalysisOptions& o) : c_(c), o_(o), group_(rotation_head_group(c.n_kv_heads)) {
    const int64_t C = c.n_kv_heads * c.head_dim;
    for (auto* v : {&k_pre_, &k_post_, &k_grouped_, &k_head_, &v_plain_, &v_head_}) v->assign(size_t(c.n_layers), at::zeros({C}, at::kFloat));
    sums_.assign(size_t(c.n_layers), std::vector<double>(6, 0.0));
    massive_.assign(size_t(c.n_layers), 0.0);
    massive_at_.assign(size_t(c.n_layers), {0.0, -1, -1, -1});
    head0_.assign(size_t(c.n_layers), std::vector<double>(size_t(c.n_heads), 0.0));
    head_top_.assign(size_t(c.n_layers), std::vector<double>(size_t(c.n_heads), 0.0));
    score_.assign(size_t(c.n_layers), std::vector<double>(3, 0.0));
  }
  bool wants(Tap t, int) const override {
    return t == Tap::kLayerInput || t == Tap::kKPreRope || t == Tap::kKPostRope || t == Tap::kV || t == Tap::kAttnProbs || t == Tap::kQPostRope;
  }
  void on_tap(Tap t, int layer, const at::Tensor& x_in) override {
    if (layer >= c_.n_layers) return;
    const size_t l = size_t(layer);
    at::Tensor x = x_in.to(at::kCPU, at::kFloat);
    auto chmax = [](const at::Tensor& rows) { return at::abs(rows).amax(0); };
    auto tokens = [&](const at::Tensor& h) { return h.transpose(1, 2).reshape({-1, c_.n_kv_heads * c_.head_dim}); };  // [B,H,T,hd] -> rows
    switch (t) {
      case Tap::kLayerInput: {
        at::Tensor a = at::abs(x).flatten();
        const int64_t flat = a.argmax().item<int64_t>(), D = x.size(-1);
        const double top = a[flat].item<double>();
        massive_[l] = std::max(massive_[l], top / std::max(1e-30, a.median().item<double>()));
        if (top > massive_at_[l].value) {
          const int64_t pos = (flat / D) % x.size(-2);
          massive_at_[l] = {top, pos, flat % D, window_ && pos < int64_t(window_->size()) ? int32_t((*window_)[size_t(pos)]) : -1};
        }
        break;
      }
      case Tap::kKPreRope:
        k_pre_[l] = at::maximum(k_pre_[l], chmax(tokens(x)));
        k_grouped_[l] = at::maximum(k_grouped_[l], chmax(fwht_blocks(tokens(x), group_ * c_.head_dim)));
        break;
      case Tap::kQPostRope:
        q_ = x;
        break;
      case Tap::kKPostRope: {
        // Attention logits of this window's causal (query, key) pairs, each query head with its KV head.
        const int64_t T = x.size(2), G = c_.n_heads / c_.n_kv_heads;
        at::Tensor k = x.repeat_interleave(G, 1);
        at::Tensor scores = at::matmul(q_, k.transpose(-1, -2)) / std::sqrt(double(c_.head_dim));
        at::Tensor causal = at::ones({T, T}, at::kBool).tril().expand_as(scores);
        at::Tensor v = scores.masked_select(causal);
        score_[l][0] += v.std().item<double>();
        score_[l][1] = std::max(score_[l][1], v.abs().max().item<double>());
        score_[l][2] += 1;
        k_post_[l] = at::maximum(k_post_[l], chmax(tokens(x)));
        k_head_[l] = at::maximum(k_head_[l], chmax(tokens(fwht(x))));
        break;
      }
      case Tap::kV:
        v_plain_[l] = at::maximum(v_plain_[l], chmax(tokens(x)));
        v_head_[l] = at::maximum(v_head_[l], chmax(tokens(fwht(x))));
        break;
      case Tap::kAttnProbs: attention(l, x); break;
      default: break;
    }
  }
  void attention(size_t l, const at::Tensor& p) {  // [B, Hq, T, S]
    const int64_t S = p.size(3);
    at::Tensor per_head = p.mean(0).mean(1);  // [Hq, S]: mean over queries of each key's share
    at::Tensor top = std::get<0>(per_head.max(1));
    for (int64_t h = 0; h < p.size(1) && h < c_.n_heads; ++h) {
      head0_[l][size_t(h)] += per_head[h][0].item<double>();
      head_top_[l][size_t(h)] += top[h].item<double>();
    }
    at::Tensor rows = p.reshape({-1, S});  // every (head, query) row sums to 1
    const double n = double(rows.size(0));
    auto& s = sums_[l];
    s[0] += rows.narrow(1, 0, std::min<int64_t>(5, S)).sum().item<double>() / n;
    at::Tensor received = rows.sum(0);
    s[1] += std::get<0>(received.topk(std::min<int64_t>(15, S))).sum().item<double>() / n;
    if (S > 5) {
      at::Tensor is_image = at::zeros({S}, at::kBool);
      if (o_.image_begin >= 0) is_image.narrow(0, std::min(o_.image_begin, S), std::max<int64_t>(0, std::min(o_.image_end, S) - std::min(o_.image_begin, S))).fill_(true);
      is_image.narrow(0, 0, 5).fill_(false);
      at::Tensor is_text = ~is_image;
      is_text.narrow(0, 0, 5).fill_(false);
      // Mean probability a query gives one key of each kind (keys it can see: causal rows are 0 beyond).
      const double text_keys = is_text.sum().item<double>(), image_keys = is_image.sum().item<double>();
      if (text_keys > 0) s[2] += rows.masked_select(is_text.unsqueeze(0).expand_as(rows)).sum().item<double>() / (n * text_keys);
      if (image_keys > 0) s[3] += rows.masked_select(is_image.unsqueeze(0).expand_as(rows)).sum().item<double>() / (n * image_keys);
    }
    s[4] += 1;
  }

  const ModelConfig& c_;
  const KvAnalysisOptions& o_;
  int64_t group_;
  std::vector<at::Tensor> k_pre_, k_post_, k_grouped_, k_head_, v_plain_, v_head_;
  std::vector<std::vector<double>> sums_;
  std::vector<double> massive_;
  struct MassiveAt {
    double value;
    int64_t position, channel;
    int32_t token;
  };
  std::vector<MassiveAt> massive_at_;
  std::vector<std::vector<double>> head0_, head_top_;  // per layer, per query head: sums over windows
  const std::vector<int64_t>* window_ = nullptr;      // the ids of the window being analysed
  std::vector<std::vector<double>> score_;  // per layer: sum of stds, max |score|, windows
  at::Tensor q_;                            // this layer's queries (the tap comes before the keys')
};

}  // namespace

double KvAnalysis::sink_rate() const {
  int64_t heads = 0, sinks = 0;
  for (const LayerKvStats& l : layers)
    for (double share : l.head_attn_token0) ++heads, sinks += share > kSinkEpsilon;
  return heads ? double(sinks) / double(heads) : 0.0;
}

KvAnalysis analyze_kv(const Transformer& model, const std::vector<int32_t>& tokens, const KvAnalysisOptions& o, const ProgressFn& progress,
                      const CancelToken& cancel) {
  const ModelConfig& c = model.config();
  if (!is_power_of_two(c.head_dim)) fail(ErrorKind::kUnsupported, "kv-analyze: head_dim must be a power of two");
  if (o.ctx < 2) fail(ErrorKind::kInvalidArgument, "kv-analyze: --ctx must be at least 2 tokens, not " + std::to_string(o.ctx));
  if (o.max_tokens < 0) fail(ErrorKind::kInvalidArgument, "kv-analyze: --tokens must not be negative, not " + std::to_string(o.max_tokens));
  const int64_t ctx = std::min<int64_t>(o.ctx, c.context_length);
  const int64_t usable = std::min<int64_t>(int64_t(tokens.size()), o.max_tokens > 0 ? o.max_tokens : int64_t(tokens.size()));
  Collector col(c, o);
  auto cache = model.make_cache("f32", "f32", ctx, 1);
  const int64_t step = o.window_bos >= 0 ? ctx - 1 : ctx;  // text tokens per window
  const int64_t n_windows = usable / step;
  if (n_windows == 0) fail(ErrorKind::kInvalidArgument, "kv-analyze: the text has fewer tokens than one window of " + std::to_string(ctx));
  for (int64_t w = 0; w < n_windows; ++w) {
    cancel.check();
    std::vector<int64_t> ids;
    if (o.window_bos >= 0) ids.push_back(o.window_bos);
    ids.insert(ids.end(), tokens.begin() + w * step, tokens.begin() + (w + 1) * step);
    col.window_ = &ids;
    cache->clear();
    model.forward(at::tensor(ids, at::TensorOptions().dtype(at::kLong)).view({1, ctx}), *cache, true, &col);
    if (progress) progress(w + 1, n_windows);
  }
  col.window_ = nullptr;
  KvAnalysis a;
  a.tokens = n_windows * ctx;
  a.windows = n_windows;
  a.has_image_tokens = o.image_begin >= 0 && o.image_end > o.image_begin;
  for (size_t l = 0; l < size_t(c.n_layers); ++l) {
    LayerKvStats s;
    s.k_pre_rope = channel_outlier_ratio(col.k_pre_[l]);
    s.k_post_rope = channel_outlier_ratio(col.k_post_[l]);
    s.k_grouped_hadamard = channel_outlier_ratio(col.k_grouped_[l]);
    s.k_head_hadamard = channel_outlier_ratio(col.k_head_[l]);
    s.v_plain = channel_outlier_ratio(col.v_plain_[l]);
    s.v_head_hadamard = channel_outlier_ratio(col.v_head_[l]);
    s.massive_ratio = col.massive_[l];
    s.massive_value = col.massive_at_[l].value;
    s.massive_position = col.massive_at_[l].position;
    s.massive_channel = col.massive_at_[l].channel;
    s.massive_token = col.massive_at_[l].token;
    s.score_std = col.score_[l][0] / std::max(1.0, col.score_[l][2]);
    s.score_max = col.score_[l][1];
    const auto& m = col.sums_[l];
    const double n = std::max(1.0, m[4]);
    s.attn_first5 = m[0] / n;
    s.attn_top15 = m[1] / n;
    s.attn_per_text = m[2] / n;
    s.attn_per_image = m[3] / n;
    s.tsa = a.has_image_tokens && s.attn_per_text > s.attn_per_image;
    for (size_t h = 0; h < col.head0_[l].size(); ++h) {
      s.head_attn_token0.push_back(col.head0_[l][h] / n);
      s.head_attn_top_key.push_back(col.head_top_[l][h] / n);
    }
    a.layers.push_back(s);
  }
  return a;
}

}  // namespace qs
