// Taps must see the very tensors the forward uses: rebuilding the next steps from tapped values
// has to reproduce what the forward produced.
#include <gtest/gtest.h>

#include <map>

#include "core/kv/taps.h"
#include "core/llm/model/transformer.h"
#include "tests/support/test_support.h"

namespace qs {
namespace {

class Recorder : public TapObserver {
 public:
  void on_tap(Tap tap, int layer, const at::Tensor& v) override { seen[{int(tap), layer}] = v.clone(); }
  std::map<std::pair<int, int>, at::Tensor> seen;
  at::Tensor get(Tap t, int layer) const { return seen.at({int(t), layer}); }
};

at::Tensor rms(const at::Tensor& x, const at::Tensor& w, double eps) { return x * at::rsqrt(x.pow(2).mean(-1, true) + eps) * w; }

TEST(Taps, SeeTheTensorsTheForwardUses) {
  auto m = load_model(test::asset("llm/stories260K/stories260K.gguf"), LoadOptions());
  Transformer t(*m);
  const auto& w = m->weights;
  const auto& c = m->config;
  at::Tensor tokens = at::randint(3, 512, {1, 16}, at::kLong);
  Recorder rec;
  auto cache = t.make_cache("f32", "f32", 32);
  at::Tensor logits = t.forward(tokens, *cache, false, &rec);

  // Layer 0 input is the embedding of the tokens.
  EXPECT_TRUE(at::equal(rec.get(Tap::kLayerInput, 0), at::embedding(w.tok_embd, tokens)));
  for (int l = 0; l < int(c.n_layers); ++l) {
    at::Tensor x = rec.get(Tap::kLayerInput, l);
    at::Tensor h = rms(x, w.layers[size_t(l)].attn_norm, c.norm_eps);
    at::Tensor k = at::matmul(h, w.layers[size_t(l)].wk.t()).view({1, 16, c.n_kv_heads, c.head_dim}).transpose(1, 2);
    EXPECT_LE((rec.get(Tap::kKPreRope, l) - k).abs().max().item<double>(), 1e-5) << "layer " << l;
    // Attention rows are distributions over visible keys only.
    at::Tensor p = rec.get(Tap::kAttnProbs, l);
    EXPECT_EQ(p.sizes().vec(), (std::vector<int64_t>{1, c.n_heads, 16, 16}));
    EXPECT_LE((p.sum(-1) - 1).abs().max().item<double>(), 1e-5);
    EXPECT_EQ(p.triu(1).abs().max().item<double>(), 0.0);
    // Output = probs @ V (GQA: head h uses KV head h / group).
    at::Tensor v = rec.get(Tap::kV, l).repeat_interleave(c.group_size(), 1);
    EXPECT_LE((at::matmul(p, v) - rec.get(Tap::kAttnOutput, l)).abs().max().item<double>(), 1e-5);
  }
  // The final hidden state, normed and projected, gives the logits the forward returned.
  at::Tensor fin = rec.get(Tap::kFinalHidden, int(c.n_layers));
  at::Tensor rebuilt = at::matmul(rms(fin, w.out_norm, c.norm_eps), w.output.t());
  EXPECT_LE((rebuilt - logits).abs().max().item<double>(), 1e-4);
}

TEST(Taps, ObserverCanDeclineExpensiveTaps) {
  struct OnlyInputs : TapObserver {
    bool wants(Tap t, int) const override { return t == Tap::kLayerInput; }
    void on_tap(Tap t, int, const at::Tensor&) override { ++count[int(t)]; }
    std::map<int, int> count;
  } obs;
  auto m = load_model(test::asset("llm/stories260K/stories260K.gguf"), LoadOptions());
  Transformer t(*m);
  auto cache = t.make_cache("f32", "f32", 8);
  t.forward(at::randint(3, 512, {1, 4}, at::kLong), *cache, false, &obs);
  EXPECT_EQ(obs.count.size(), 1u);
  EXPECT_EQ(obs.count[int(Tap::kLayerInput)], 5);
}

}  // namespace
}  // namespace qs
