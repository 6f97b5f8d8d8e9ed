#include <filesystem>

#include "core/common/error.h"
#include "core/llm/formats/llama2c.h"
#include "core/llm/model/weights.h"
#include "core/llm/tokenizer/vocab_loaders.h"

namespace qs {

std::unique_ptr<LoadedModel> load_llama2c(const std::string& path, const LoadOptions& options) {
  llama2c::Checkpoint ck = llama2c::open_checkpoint(path);
  const auto& h = ck.header;
  auto m = std::make_unique<LoadedModel>();
  ModelConfig& c = m->config;
  c.arch = "llama";
  c.dim = h.dim;
  c.n_layers = h.n_layers;
  c.n_heads = h.n_heads;
  c.n_kv_heads = h.n_kv_heads;
  c.head_dim = h.dim / h.n_heads;
  c.ffn_dim = h.hidden_dim;
  c.vocab = h.vocab_size;
  c.context_length = h.seq_len;
  c.norm_eps = 1e-5;  // run.c hard-codes it
  c.rope_theta = 10000.0;
  c.rope_style = RopeStyle::kAdjacent;
  c.tied_output = h.shared_classifier;
  c.validate();

  const int64_t D = c.dim, F = c.ffn_dim, L = c.n_layers, KV = c.n_kv_heads * c.head_dim;
  const auto& lay = ck.layout;
  ModelWeights& w = m->weights;
  w.tok_embd = tensor_from_floats(ck.floats(lay.token_embedding), {c.vocab, D});
  at::Tensor rms_att = tensor_from_floats(ck.floats(lay.rms_att), {L, D});
  at::Tensor wq = tensor_from_floats(ck.floats(lay.wq), {L, D, D});
  at::Tensor wk = tensor_from_floats(ck.floats(lay.wk), {L, KV, D});
  at::Tensor wv = tensor_from_floats(ck.floats(lay.wv), {L, KV, D});
  at::Tensor wo = tensor_from_floats(ck.floats(lay.wo), {L, D, D});
  at::Tensor rms_ffn = tensor_from_floats(ck.floats(lay.rms_ffn), {L, D});
  at::Tensor w1 = tensor_from_floats(ck.floats(lay.w1), {L, F, D});
  at::Tensor w2 = tensor_from_floats(ck.floats(lay.w2), {L, D, F});
  at::Tensor w3 = tensor_from_floats(ck.floats(lay.w3), {L, F, D});
  for (int64_t i = 0; i < L; ++i) {
    LayerWeights l;
    l.attn_norm = rms_att[i].clone();
    l.wq = wq[i].clone();
    l.wk = wk[i].clone();
    l.wv = wv[i].clone();
    l.wo = wo[i].clone();
    l.ffn_norm = rms_ffn[i].clone();
    l.w_gate = w1[i].clone();
    l.w_down = w2[i].clone();
    l.w_up = w3[i].clone();
    w.layers.push_back(std::move(l));
  }
  w.out_norm = tensor_from_floats(ck.floats(lay.rms_final), {D});
  w.output = c.tied_output ? w.tok_embd : tensor_from_floats(ck.floats(lay.wcls), {c.vocab, D});
  check_weight_shapes(c, w);
  w.to(options.device, options.dtype);

  std::string tok_path = options.tokenizer_path;
  if (tok_path.empty()) {
    // llama2.c's names beside the checkpoint: tokenizer.bin (Llama 2's vocabulary) or
    // tok<vocab>.bin for a custom one (stories260K: tok512.bin).
    const auto dir = std::filesystem::path(path).parent_path();
    const std::string custom = "tok" + std::to_string(h.vocab_size) + ".bin";
    for (const std::string& name : {std::string("tokenizer.bin"), custom})
      if (std::filesystem::exists(dir / name)) {
        tok_path = (dir / name).string();
        break;
      }
    if (tok_path.empty())
      fail(ErrorKind::kInvalidArgument, "llama2.c checkpoint '" + path + "' needs a tokenizer: none of tokenizer.bin or " + custom + " is beside it; pass --tokenizer FILE.bin");
  }
  m->tokenizer = tokenizer_from_llama2c(llama2c::open_tokenizer(tok_path, h.vocab_size));
  m->format = "llama2.c";
  m->path = path;
  m->file_dtype = "F32";
  m->metadata["tokenizer file"] = tok_path;
  m->metadata["classifier"] = h.shared_classifier ? "shared with the embedding" : "separate";
  return m;
}

}  // namespace qs
