#include "core/llm/train/hf_export.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/common/file_bytes.h"

namespace qs {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

struct Named {
  std::string name;
  at::Tensor t;  // contiguous, on the CPU, in the export dtype
};

std::vector<Named> hf_tensors(const LoadedModel& m, at::ScalarType dtype) {
  std::vector<Named> out;
  auto add = [&](const std::string& n, const at::Tensor& t) { out.push_back({n, t.detach().to(at::kCPU, dtype).contiguous()}); };
  const ModelWeights& w = m.weights;
  add("model.embed_tokens.weight", w.tok_embd);
  for (size_t i = 0; i < w.layers.size(); ++i) {
    const LayerWeights& l = w.layers[i];
    const std::string p = "model.layers." + std::to_string(i) + ".";
    add(p + "input_layernorm.weight", l.attn_norm);
    add(p + "self_attn.q_proj.weight", l.wq), add(p + "self_attn.k_proj.weight", l.wk), add(p + "self_attn.v_proj.weight", l.wv);
    add(p + "self_attn.o_proj.weight", l.wo);
    add(p + "post_attention_layernorm.weight", l.ffn_norm);
    add(p + "mlp.gate_proj.weight", l.w_gate), add(p + "mlp.up_proj.weight", l.w_up), add(p + "mlp.down_proj.weight", l.w_down);
  }
  add("model.norm.weight", w.out_norm);
  if (!m.config.tied_output) add("lm_head.weight", w.output);
  return out;
}

// One safetensors file: u64 header length, the JSON header, the tensors' bytes in order.
void write_safetensors(const std::string& path, const std::vector<const Named*>& tensors) {
  json header = json::object();
  header["__metadata__"] = {{"format", "pt"}};
  uint64_t offset = 0;
  for (const Named* n : tensors) {
    const uint64_t bytes = uint64_t(n->t.nbytes());
    json shape = json::array();
    for (int64_t d : n->t.sizes()) shape.push_back(d);
    header[n->name] = {{"dtype", n->t.scalar_type() == at::kBFloat16 ? "BF16" : "F32"}, {"shape", shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // data starts 8-byte aligned
  AtomicFile f(path, true);
  const uint64_t len = text.size();
  f.write(&len, 8);
  f.write(text.data(), text.size());
  for (const Named* n : tensors) f.write(n->t.data_ptr(), n->t.nbytes());
  f.commit();
}

}  // namespace

void export_hf_folder(const LoadedModel& m, const std::string& folder, const HfExportOptions& o) {
  const ModelConfig& c = m.config;
  if (c.rope_style != RopeStyle::kHalf || c.qkv_bias) fail(ErrorKind::kUnsupported, "hf export: only rotate-half RoPE without biases is written");
  if (fs::exists(folder) && !fs::is_empty(folder) && !o.overwrite) fail(ErrorKind::kInvalidArgument, "'" + folder + "' exists and is not empty: pass --force to replace its files");
  create_parent_folders(folder + "/config.json");
  const auto tokenizer = FileBytes::open(o.tokenizer_model);
  if (o.dtype != at::kFloat && o.dtype != at::kBFloat16) fail(ErrorKind::kUnsupported, "hf export: weights are written as f32 or bf16");
  const std::vector<Named> tensors = hf_tensors(m, o.dtype);
  // Shards in order, each under max_file_bytes (one tensor larger than that gets a file alone).
  std::vector<std::vector<const Named*>> shards(1);
  int64_t in_shard = 0;
  for (const Named& n : tensors) {
    const int64_t bytes = int64_t(n.t.nbytes());
    if (!shards.back().empty() && in_shard + bytes > o.max_file_bytes - (1 << 16)) shards.emplace_back(), in_shard = 0;
    shards.back().push_back(&n);
    in_shard += bytes;
  }
  if (shards.size() == 1) {
    write_safetensors(folder + "/model.safetensors", shards[0]);
  } else {
    json map = json::object();
    int64_t total = 0;
    for (size_t i = 0; i < shards.size(); ++i) {
      char name[64];
      std::snprintf(name, sizeof name, "model-%05zu-of-%05zu.safetensors", i + 1, shards.size());
      write_safetensors(folder + "/" + name, shards[i]);
      for (const Named* n : shards[i]) map[n->name] = name, total += int64_t(n->t.nbytes());
    }
    write_file_atomically(folder + "/model.safetensors.index.json", json{{"metadata", {{"total_size", total}}}, {"weight_map", map}}.dump(2) + "\n", true);
  }
  const json config = {{"architectures", {"LlamaForCausalLM"}},
                       {"model_type", "llama"},
                       {"hidden_size", c.dim},
                       {"intermediate_size", c.ffn_dim},
                       {"num_hidden_layers", c.n_layers},
                       {"num_attention_heads", c.n_heads},
                       {"num_key_value_heads", c.n_kv_heads},
                       {"head_dim", c.head_dim},
                       {"hidden_act", "silu"},
                       {"max_position_embeddings", c.context_length},
                       {"rms_norm_eps", c.norm_eps},
                       {"rope_theta", c.rope_theta},
                       {"vocab_size", c.vocab},
                       {"tie_word_embeddings", c.tied_output},
                       {"attention_bias", false},
                       {"mlp_bias", false},
                       {"bos_token_id", 1},
                       {"eos_token_id", 2},
                       {"torch_dtype", o.dtype == at::kBFloat16 ? "bfloat16" : "float32"}};
  write_file_atomically(folder + "/config.json", config.dump(2) + "\n", true);
  write_file_atomically(folder + "/tokenizer.model", std::string(reinterpret_cast<const char*>(tokenizer->data()), tokenizer->size()), true);
  const json tok_config = {{"tokenizer_class", "LlamaTokenizer"}, {"bos_token", "<s>"}, {"eos_token", "</s>"}, {"unk_token", "<unk>"},
                           {"add_bos_token", true}, {"add_eos_token", false}, {"legacy", true}, {"model_max_length", c.context_length}};
  write_file_atomically(folder + "/tokenizer_config.json", tok_config.dump(2) + "\n", true);
}

}  // namespace qs
