// The two RoPE layouts must describe the same model. llama.cpp's converter stores a Hugging Face
// Llama in GGUF with the rows of W_q and W_k permuted inside each head so that adjacent-pair RoPE
// equals HF's rotate-half. We do that conversion to TinyStories-656K here (as the converter does,
// per KV head for W_k) and require the GGUF path to reproduce the HF path's logits.
#include <gtest/gtest.h>

#include <cstring>

#include "core/llm/model/transformer.h"
#include "core/llm/tokenizer/tokenizer.h"
#include "tests/support/test_support.h"

namespace qs {
namespace {

std::vector<uint8_t> f32_bytes(const at::Tensor& t) {
  at::Tensor c = t.to(at::kFloat).contiguous();
  std::vector<uint8_t> out(size_t(c.numel()) * 4);
  std::memcpy(out.data(), c.data_ptr<float>(), out.size());
  return out;
}

std::vector<uint64_t> ggml_dims(const at::Tensor& t) {
  std::vector<uint64_t> d;
  for (int64_t i = t.dim() - 1; i >= 0; --i) d.push_back(uint64_t(t.size(i)));
  return d;
}

// rows [h][half][i] -> [h][i][half], llama.cpp's permute().
at::Tensor to_adjacent_pairs(const at::Tensor& w, int64_t heads) {
  int64_t hd = w.size(0) / heads;
  return w.reshape({heads, 2, hd / 2, w.size(1)}).transpose(1, 2).reshape(w.sizes());
}

// The weights of `hf` as a GGUF of the given architecture. llama: W_q/W_k (and their biases)
// permuted to adjacent pairs, as llama.cpp's converter does; qwen2: stored as in HF (rotate-half).
std::string to_gguf(const LoadedModel& hf, const std::string& arch, const std::vector<at::Tensor>& biases, const test::TempDir& dir) {
  const ModelConfig& c = hf.config;
  const ModelWeights& w = hf.weights;
  const bool permute = arch == "llama";
  test::GgufBuilder b;
  const std::string a = arch + ".";
  b.kv_string("general.architecture", arch)
      .kv_u32(a + "embedding_length", uint32_t(c.dim))
      .kv_u32(a + "block_count", uint32_t(c.n_layers))
      .kv_u32(a + "attention.head_count", uint32_t(c.n_heads))
      .kv_u32(a + "attention.head_count_kv", uint32_t(c.n_kv_heads))
      .kv_u32(a + "feed_forward_length", uint32_t(c.ffn_dim))
      .kv_u32(a + "context_length", uint32_t(c.context_length))
      .kv_f32(a + "attention.layer_norm_rms_epsilon", float(c.norm_eps))
      .kv_f32(a + "rope.freq_base", float(c.rope_theta))
      .kv_string("tokenizer.ggml.model", "llama");
  std::vector<std::string> pieces;
  for (int32_t i = 0; i < hf.tokenizer->n_vocab(); ++i) pieces.push_back(hf.tokenizer->piece(i));
  b.kv_string_array("tokenizer.ggml.tokens", pieces).kv_f32_array("tokenizer.ggml.scores", std::vector<float>(pieces.size(), 0.0f));
  auto add = [&](const std::string& name, const at::Tensor& t) { b.tensor(name, ggml_dims(t), 0, f32_bytes(t)); };
  auto perm = [&](const at::Tensor& t, int64_t heads) {
    if (!permute) return t;
    return t.dim() == 1 ? to_adjacent_pairs(t.unsqueeze(1), heads).squeeze(1) : to_adjacent_pairs(t, heads);
  };
  add("token_embd.weight", w.tok_embd);
  for (int64_t i = 0; i < c.n_layers; ++i) {
    const auto& l = w.layers[size_t(i)];
    const std::string p = "blk." + std::to_string(i) + ".";
    add(p + "attn_norm.weight", l.attn_norm);
    add(p + "attn_q.weight", perm(l.wq, c.n_heads));
    add(p + "attn_k.weight", perm(l.wk, c.n_kv_heads));
    add(p + "attn_v.weight", l.wv);
    if (!biases.empty()) {
      add(p + "attn_q.bias", perm(biases[0], c.n_heads));
      add(p + "attn_k.bias", perm(biases[1], c.n_kv_heads));
      add(p + "attn_v.bias", biases[2]);
    }
    add(p + "attn_output.weight", l.wo);
    add(p + "ffn_norm.weight", l.ffn_norm);
    add(p + "ffn_gate.weight", l.w_gate);
    add(p + "ffn_up.weight", l.w_up);
    add(p + "ffn_down.weight", l.w_down);
  }
  add("output_norm.weight", w.out_norm);
  return dir.write(arch + (biases.empty() ? "" : "-bias") + ".gguf", b.build());
}

at::Tensor logits(const LoadedModel& m, const at::Tensor& tokens) {
  Transformer t(m);
  auto cache = t.make_cache("f32", "f32", tokens.size(1), tokens.size(0));
  return t.forward(tokens, *cache);
}

TEST(LayoutEquivalence, HuggingFaceLlamaConvertedToGgufGivesTheSameLogits) {
  auto hf = load_model(test::asset("llm/tinystories-656K"), LoadOptions());
  test::TempDir dir;
  auto gguf = load_model(to_gguf(*hf, "llama", {}, dir), LoadOptions());
  ASSERT_EQ(gguf->config.rope_style, RopeStyle::kAdjacent);
  ASSERT_EQ(hf->config.rope_style, RopeStyle::kHalf);
  EXPECT_TRUE(gguf->config.tied_output);
  at::Tensor tokens = at::randint(3, hf->config.vocab, {2, 80}, at::kLong);
  EXPECT_LE((logits(*hf, tokens) - logits(*gguf, tokens)).abs().max().item<double>(), 1e-4);
  // And the permutation is not the identity: without it the layouts would differ.
  EXPECT_GT((to_adjacent_pairs(hf->weights.layers[0].wq, hf->config.n_heads) - hf->weights.layers[0].wq).abs().max().item<double>(), 0.0);
}

TEST(LayoutEquivalence, Qwen2BiasesAgreeAcrossRopeLayouts) {
  // The same weights plus random q/k/v biases, once as GGUF qwen2 (rotate-half, biases as in HF)
  // and once as GGUF llama (adjacent pairs, biases permuted with their rows).
  auto hf = load_model(test::asset("llm/tinystories-656K"), LoadOptions());
  const ModelConfig& c = hf->config;
  at::manual_seed(11);
  std::vector<at::Tensor> biases = {at::randn({c.n_heads * c.head_dim}) * 0.5, at::randn({c.n_kv_heads * c.head_dim}) * 0.5,
                                    at::randn({c.n_kv_heads * c.head_dim}) * 0.5};
  test::TempDir dir;
  auto qwen = load_model(to_gguf(*hf, "qwen2", biases, dir), LoadOptions());
  auto llama = load_model(to_gguf(*hf, "llama", biases, dir), LoadOptions());
  EXPECT_TRUE(qwen->config.qkv_bias);
  EXPECT_EQ(qwen->config.rope_style, RopeStyle::kHalf);
  at::Tensor tokens = at::randint(3, c.vocab, {1, 64}, at::kLong);
  at::Tensor lq = logits(*qwen, tokens), ll = logits(*llama, tokens);
  EXPECT_LE((lq - ll).abs().max().item<double>(), 1e-4);
  EXPECT_GT((lq - logits(*hf, tokens)).abs().max().item<double>(), 1e-2);  // the biases do change the model
}

}  // namespace
}  // namespace qs
