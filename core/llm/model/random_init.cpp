#include "core/llm/model/random_init.h"

#include "core/common/error.h"
#include "core/common/memory_budget.h"
#include "core/llm/tokenizer/tokenizer.h"

namespace qs {

std::vector<std::string> random_init_shapes() { return {"llama2-7b", "llama3-8b", "stories260k"}; }

ModelConfig random_init_config(const std::string& shape) {
  ModelConfig c;
  if (shape == "llama2-7b") {
    c.dim = 4096; c.n_layers = 32; c.n_heads = 32; c.n_kv_heads = 32; c.ffn_dim = 11008; c.vocab = 32000; c.context_length = 4096;
  } else if (shape == "llama3-8b") {
    c.dim = 4096; c.n_layers = 32; c.n_heads = 32; c.n_kv_heads = 8; c.ffn_dim = 14336; c.vocab = 128256; c.context_length = 8192;
    c.rope_theta = 500000.0;
  } else if (shape == "stories260k") {
    c.dim = 64; c.n_layers = 5; c.n_heads = 8; c.n_kv_heads = 4; c.ffn_dim = 172; c.vocab = 512; c.context_length = 512;
  } else {
    fail(ErrorKind::kInvalidArgument, "unknown random-init shape '" + shape + "' (llama2-7b, llama3-8b, stories260k)");
  }
  c.head_dim = c.dim / c.n_heads;
  c.arch = "llama";
  return c;
}

std::unique_ptr<LoadedModel> random_init_model(const std::string& shape, const LoadOptions& options, uint64_t seed) {
  check_load_options(options);
  auto m = std::make_unique<LoadedModel>();
  m->config = random_init_config(shape);
  const ModelConfig& c = m->config;
  if (options.device.is_cpu())  // 7B in f32 is 27 GB: refused up front, not killed half-way
    require_within_budget(double(c.parameter_count()) * double(c10::elementSize(options.dtype)) * 1.5,
                          "random-init " + shape + " in " + std::to_string(c10::elementSize(options.dtype) * 8) + "-bit on the CPU");
  at::manual_seed(seed);
  // Created directly on the device in the compute dtype: a 7B model never passes through f32 CPU.
  auto opts = at::TensorOptions().dtype(options.dtype).device(options.device);
  const float scale = 0.02f;
  auto rnd = [&](std::vector<int64_t> s) { return at::randn(s, opts) * scale; };
  ModelWeights& w = m->weights;
  w.tok_embd = rnd({c.vocab, c.dim});
  for (int64_t i = 0; i < c.n_layers; ++i) {
    LayerWeights l;
    l.attn_norm = at::ones({c.dim}, opts);
    l.wq = rnd({c.n_heads * c.head_dim, c.dim});
    l.wk = rnd({c.n_kv_heads * c.head_dim, c.dim});
    l.wv = rnd({c.n_kv_heads * c.head_dim, c.dim});
    l.wo = rnd({c.dim, c.n_heads * c.head_dim});
    l.ffn_norm = at::ones({c.dim}, opts);
    l.w_gate = rnd({c.ffn_dim, c.dim});
    l.w_up = rnd({c.ffn_dim, c.dim});
    l.w_down = rnd({c.dim, c.ffn_dim});
    w.layers.push_back(std::move(l));
  }
  w.out_norm = at::ones({c.dim}, opts);
  w.output = rnd({c.vocab, c.dim});
  TokenizerSpec s;
  s.name = "byte stand-in (random-init)";
  s.text = TokenizerSpec::Text::kByteLevel;
  s.merge = TokenizerSpec::Merge::kByRank;
  for (int b = 0; b < 256; ++b) s.pieces.push_back(unicode::bytes_to_gpt2_unicode(std::string(1, char(b))));
  while (int64_t(s.pieces.size()) < c.vocab) s.pieces.push_back("<unused" + std::to_string(s.pieces.size()) + ">");
  m->tokenizer = std::make_shared<Tokenizer>(std::move(s));
  m->format = "random-init";
  m->path = "random-init:" + shape;
  m->file_dtype = "random (" + std::string(c10::toString(options.dtype)) + ")";
  m->metadata["note"] = "random weights: for speed measurements only";
  return m;
}

}  // namespace qs
