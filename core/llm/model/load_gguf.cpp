#include <set>
#include <vector>

#include "core/common/error.h"
#include "core/llm/formats/gguf.h"
#include "core/llm/model/weights.h"
#include "core/llm/tokenizer/vocab_loaders.h"

namespace qs {
namespace {

// Reads a tensor, dequantizing as needed, into CPU float32 with torch shape (reversed ggml dims).
at::Tensor read_tensor(const gguf::File& f, const std::string& name, std::set<std::string>* types_seen) {
  const gguf::TensorInfo* t = f.find_tensor(name);
  if (!t) fail_format("GGUF: tensor '" + name + "' is missing");
  std::vector<int64_t> shape(t->dims.rbegin(), t->dims.rend());
  at::Tensor out = at::empty(shape, at::TensorOptions().dtype(at::kFloat));
  ggml::dequantize(t->type, f.tensor_data(*t), size_t(t->n_elements()), out.data_ptr<float>());
  types_seen->insert(ggml::type_name(uint32_t(t->type)));
  return out;
}

at::Tensor maybe_tensor(const gguf::File& f, const std::string& name, std::set<std::string>* types_seen) {
  return f.find_tensor(name) ? read_tensor(f, name, types_seen) : at::Tensor();
}

}  // namespace

std::unique_ptr<LoadedModel> load_gguf(const std::string& path, const LoadOptions& options) {
  gguf::File f = gguf::File::open(path);
  auto m = std::make_unique<LoadedModel>();
  ModelConfig& c = m->config;
  c.arch = f.get_string("general.architecture");
  if (c.arch != "llama" && c.arch != "mistral" && c.arch != "qwen2")
    fail(ErrorKind::kUnsupported, "GGUF: architecture '" + c.arch + "' is not supported (llama, mistral, qwen2 are)");
  const std::string a = c.arch + ".";
  c.dim = f.get_int(a + "embedding_length");
  c.n_layers = f.get_int(a + "block_count");
  c.n_heads = f.get_int(a + "attention.head_count");
  c.n_kv_heads = f.maybe_int(a + "attention.head_count_kv").value_or(c.n_heads);
  c.ffn_dim = f.get_int(a + "feed_forward_length");
  c.context_length = f.maybe_int(a + "context_length").value_or(2048);
  c.norm_eps = f.maybe_float(a + "attention.layer_norm_rms_epsilon").value_or(1e-5);
  c.rope_theta = f.maybe_float(a + "rope.freq_base").value_or(10000.0);
  if (c.n_heads <= 0 || c.n_heads > 4096) fail_format("GGUF: head_count is out of range");
  c.head_dim = f.maybe_int(a + "attention.key_length").value_or(c.dim / c.n_heads);
  // llama.cpp rope types: llama and mistral rotate adjacent pairs (converter permutes q/k);
  // qwen2 uses NEOX (rotate half).
  c.rope_style = c.arch == "qwen2" ? RopeStyle::kHalf : RopeStyle::kAdjacent;
  c.qkv_bias = c.arch == "qwen2";
  if (auto st = f.maybe_string(a + "rope.scaling.type"); st && *st == "linear") {
    c.rope_scaling.type = "linear";
    c.rope_scaling.factor = f.maybe_float(a + "rope.scaling.factor").value_or(1.0);
  }
  const gguf::TensorInfo* embd = f.find_tensor("token_embd.weight");
  if (!embd || embd->dims.size() != 2) fail_format("GGUF: token_embd.weight is missing or not 2-D");
  c.vocab = int64_t(embd->dims[1]);
  c.validate();

  std::set<std::string> types;
  ModelWeights& w = m->weights;
  w.tok_embd = read_tensor(f, "token_embd.weight", &types);
  for (int64_t i = 0; i < c.n_layers; ++i) {
    const std::string p = "blk." + std::to_string(i) + ".";
    LayerWeights l;
    l.attn_norm = read_tensor(f, p + "attn_norm.weight", &types);
    l.wq = read_tensor(f, p + "attn_q.weight", &types);
    l.wk = read_tensor(f, p + "attn_k.weight", &types);
    l.wv = read_tensor(f, p + "attn_v.weight", &types);
    l.wo = read_tensor(f, p + "attn_output.weight", &types);
    l.bq = maybe_tensor(f, p + "attn_q.bias", &types);
    l.bk = maybe_tensor(f, p + "attn_k.bias", &types);
    l.bv = maybe_tensor(f, p + "attn_v.bias", &types);
    l.ffn_norm = read_tensor(f, p + "ffn_norm.weight", &types);
    l.w_gate = read_tensor(f, p + "ffn_gate.weight", &types);
    l.w_up = read_tensor(f, p + "ffn_up.weight", &types);
    l.w_down = read_tensor(f, p + "ffn_down.weight", &types);
    w.layers.push_back(std::move(l));
  }
  if (w.layers[0].bq.defined()) c.qkv_bias = true;
  w.out_norm = read_tensor(f, "output_norm.weight", &types);
  if (f.find_tensor("output.weight")) {
    w.output = read_tensor(f, "output.weight", &types);
  } else {
    w.output = w.tok_embd;  // tied output: the embedding doubles as the classifier
    c.tied_output = true;
  }
  w.rope_freq_factors = maybe_tensor(f, "rope_freqs.weight", &types);
  if (w.rope_freq_factors.defined()) {
    if (w.rope_freq_factors.numel() != c.head_dim / 2) fail_format("GGUF: rope_freqs.weight has the wrong length");
    c.rope_scaling.type = "llama3";
  }
  check_weight_shapes(c, w);
  w.to(options.device, options.dtype);

  m->tokenizer = tokenizer_from_gguf(f);
  m->format = "gguf";
  m->path = path;
  m->chat_template = f.maybe_string("tokenizer.chat_template").value_or("");
  for (const auto& t : types) m->file_dtype += (m->file_dtype.empty() ? "" : "+") + t;
  if (m->file_dtype.find_first_of("Q") != std::string::npos) m->file_dtype += " (dequantized on load)";
  m->metadata["gguf version"] = std::to_string(f.version());
  for (const auto& [k, v] : f.metadata())
    if (k.rfind("tokenizer.ggml.", 0) != 0 && k != "tokenizer.chat_template") m->metadata[k] = v.to_display();
  return m;
}

}  // namespace qs
