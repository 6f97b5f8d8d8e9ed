// Hugging Face folders: config.json, model.safetensors or a sharded model.safetensors.index.json,
// tokenizer.json (or tokenizer.model) and tokenizer_config.json.
#include <filesystem>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/common/file_bytes.h"
#include "core/llm/formats/ggml_types.h"
#include "core/llm/formats/safetensors.h"
#include "core/llm/model/weights.h"
#include "core/llm/tokenizer/vocab_loaders.h"

namespace qs {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json read_json(const fs::path& p) {
  try {
    return json::parse(read_text_file(p.string()));
  } catch (const json::exception& e) {
    fail_format("'" + p.string() + "' is not valid JSON: " + e.what());
  }
}

// Tensor name -> the shard that holds it.
class ShardSet {
 public:
  explicit ShardSet(const fs::path& folder) : folder_(folder) {
    fs::path single = folder / "model.safetensors";
    fs::path index = folder / "model.safetensors.index.json";
    if (fs::exists(single)) {
      add(single);
      main_file_ = single.string();
    } else if (fs::exists(index)) {
      json j = read_json(index);
      if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object()) fail_format("'" + index.string() + "' has no weight_map");
      for (auto it = j["weight_map"].begin(); it != j["weight_map"].end(); ++it) {
        if (!it.value().is_string()) fail_format("weight_map entry '" + it.key() + "' is not a file name");
        std::string shard = it.value().get<std::string>();
        if (shard.find('/') != std::string::npos || shard.find("..") != std::string::npos) fail_format("weight_map names a file outside the folder: '" + shard + "'");
        if (!files_.count(shard)) add(folder / shard);
      }
      main_file_ = index.string();
    } else {
      fail_io("'" + folder.string() + "' has neither model.safetensors nor model.safetensors.index.json");
    }
  }

  bool has(const std::string& name) const { return where_.count(name) != 0; }

  at::Tensor read(const std::string& name) const {
    auto it = where_.find(name);
    if (it == where_.end()) fail_format("safetensors: tensor '" + name + "' is missing");
    const safetensors::File& f = files_.at(it->second);
    const safetensors::TensorInfo& t = *f.find(name);
    at::Tensor out = at::empty(t.shape, at::TensorOptions().dtype(at::kFloat));
    float* dst = out.data_ptr<float>();
    const uint8_t* src = f.data(t);
    size_t n = size_t(out.numel());
    switch (t.dtype) {
      case safetensors::DType::kF32: ggml::dequantize(ggml::Type::kF32, src, n, dst); break;
      case safetensors::DType::kF16: ggml::dequantize(ggml::Type::kF16, src, n, dst); break;
      case safetensors::DType::kBF16: ggml::dequantize(ggml::Type::kBF16, src, n, dst); break;
      default: fail(ErrorKind::kUnsupported, std::string("safetensors: tensor '") + name + "' has dtype " + safetensors::dtype_name(t.dtype) + "; weights must be F32, F16 or BF16");
    }
    dtypes_.insert(safetensors::dtype_name(t.dtype));
    return out;
  }

  // Resolves names aliased through __metadata__ (the 656K model stores only lm_head and maps
  // model.embed_tokens.weight onto it).
  std::string alias(const std::string& name) const {
    if (has(name)) return name;
    for (const auto& [file, f] : files_) {
      auto it = f.metadata().find(name);
      if (it != f.metadata().end() && has(it->second)) return it->second;
    }
    return name;
  }

  const std::string& main_file() const { return main_file_; }
  // Every shard's path, sorted by name (none when the weights are one model.safetensors).
  std::vector<std::string> shard_paths() const {
    std::vector<std::string> out;
    if (main_file_.find("index.json") == std::string::npos) return out;
    for (const auto& [name, f] : files_) out.push_back((folder_ / name).string());
    return out;
  }
  std::string dtypes() const {
    std::string s;
    for (const auto& d : dtypes_) s += (s.empty() ? "" : "+") + d;
    return s;
  }

 private:
  void add(const fs::path& p) {
    std::string key = p.filename().string();
    files_.emplace(key, safetensors::File::open(p.string()));
    for (const auto& [name, t] : files_.at(key).tensors()) where_[name] = key;
  }
  std::map<std::string, safetensors::File> files_;
  std::map<std::string, std::string> where_;
  std::string main_file_;
  fs::path folder_;
  mutable std::set<std::string> dtypes_;
};

int64_t get_int(const json& j, const char* key, int64_t def = -1) {
  if (!j.contains(key) || j[key].is_null()) {
    if (def >= 0) return def;
    fail_format(std::string("config.json: missing '") + key + "'");
  }
  if (!j[key].is_number_integer()) fail_format(std::string("config.json: '") + key + "' is not an integer");
  return j[key].get<int64_t>();
}

double get_num(const json& j, const char* key, double def) {
  if (!j.contains(key) || j[key].is_null()) return def;
  if (!j[key].is_number()) fail_format(std::string("config.json: '") + key + "' is not a number");
  return j[key].get<double>();
}

}  // namespace

std::unique_ptr<LoadedModel> load_hf(const std::string& folder_str, const LoadOptions& options) {
  fs::path folder(folder_str);
  json cfg = read_json(folder / "config.json");
  if (!cfg.is_object()) fail_format("config.json is not an object");
  auto m = std::make_unique<LoadedModel>();
  ModelConfig& c = m->config;
  std::string model_type = cfg.value("model_type", "llama");
  if (model_type != "llama" && model_type != "mistral" && model_type != "qwen2")
    fail(ErrorKind::kUnsupported, "config.json: model_type '" + model_type + "' is not supported (llama, mistral, qwen2 are)");
  c.arch = model_type;
  c.dim = get_int(cfg, "hidden_size");
  c.n_layers = get_int(cfg, "num_hidden_layers");
  c.n_heads = get_int(cfg, "num_attention_heads");
  c.n_kv_heads = get_int(cfg, "num_key_value_heads", c.n_heads);
  if (c.n_heads <= 0) fail_format("config.json: num_attention_heads must be positive");
  c.head_dim = get_int(cfg, "head_dim", c.dim / c.n_heads);
  c.ffn_dim = get_int(cfg, "intermediate_size");
  c.vocab = get_int(cfg, "vocab_size");
  c.context_length = get_int(cfg, "max_position_embeddings", 2048);
  c.norm_eps = get_num(cfg, "rms_norm_eps", 1e-6);
  c.rope_theta = get_num(cfg, "rope_theta", 10000.0);
  c.rope_style = RopeStyle::kHalf;  // transformers' rotate_half
  c.qkv_bias = model_type == "qwen2" || cfg.value("attention_bias", false);
  c.tied_output = cfg.value("tie_word_embeddings", false);
  if (cfg.contains("rope_scaling") && cfg["rope_scaling"].is_object()) {
    const json& rs = cfg["rope_scaling"];
    std::string type = rs.value("rope_type", rs.value("type", "none"));
    if (type == "llama3" || type == "linear") {
      c.rope_scaling.type = type;
      c.rope_scaling.factor = get_num(rs, "factor", 1.0);
      c.rope_scaling.low_freq_factor = get_num(rs, "low_freq_factor", 1.0);
      c.rope_scaling.high_freq_factor = get_num(rs, "high_freq_factor", 4.0);
      c.rope_scaling.original_context = int64_t(get_num(rs, "original_max_position_embeddings", 8192));
    } else if (type != "none" && type != "default") {
      fail(ErrorKind::kUnsupported, "config.json: rope_scaling type '" + type + "' is not supported (linear, llama3 are)");
    }
  }
  c.validate();

  ShardSet shards(folder);
  ModelWeights& w = m->weights;
  w.tok_embd = shards.read(shards.alias("model.embed_tokens.weight"));
  for (int64_t i = 0; i < c.n_layers; ++i) {
    const std::string p = "model.layers." + std::to_string(i) + ".";
    LayerWeights l;
    l.attn_norm = shards.read(p + "input_layernorm.weight");
    l.wq = shards.read(p + "self_attn.q_proj.weight");
    l.wk = shards.read(p + "self_attn.k_proj.weight");
    l.wv = shards.read(p + "self_attn.v_proj.weight");
    l.wo = shards.read(p + "self_attn.o_proj.weight");
    if (c.qkv_bias) {
      l.bq = shards.read(p + "self_attn.q_proj.bias");
      l.bk = shards.read(p + "self_attn.k_proj.bias");
      l.bv = shards.read(p + "self_attn.v_proj.bias");
    }
    l.ffn_norm = shards.read(p + "post_attention_layernorm.weight");
    l.w_gate = shards.read(p + "mlp.gate_proj.weight");
    l.w_up = shards.read(p + "mlp.up_proj.weight");
    l.w_down = shards.read(p + "mlp.down_proj.weight");
    w.layers.push_back(std::move(l));
  }
  w.out_norm = shards.read("model.norm.weight");
  if (shards.has("lm_head.weight") && !(c.tied_output && shards.alias("model.embed_tokens.weight") == "lm_head.weight")) {
    w.output = shards.read("lm_head.weight");
  } else {
    w.output = w.tok_embd;
    c.tied_output = true;
  }
  check_weight_shapes(c, w);
  w.to(options.device, options.dtype);

  if (!options.tokenizer_path.empty()) {
    m->tokenizer = tokenizer_from_hf_files(options.tokenizer_path);
  } else if (fs::exists(folder / "tokenizer.json")) {
    m->tokenizer = tokenizer_from_hf_files(folder.string());
  } else if (fs::exists(folder / "tokenizer.model")) {
    m->tokenizer = tokenizer_from_spm_model((folder / "tokenizer.model").string());
  } else {
    fail_io("'" + folder.string() + "' has no tokenizer.json or tokenizer.model");
  }
  if (fs::exists(folder / "tokenizer_config.json")) {
    json tc = read_json(folder / "tokenizer_config.json");
    if (tc.is_object() && tc.contains("chat_template") && tc["chat_template"].is_string()) m->chat_template = tc["chat_template"].get<std::string>();
  }
  m->format = "huggingface";
  m->path = folder.string();
  m->file_dtype = shards.dtypes();
  m->metadata["weights file"] = shards.main_file();
  m->weight_shards = shards.shard_paths();
  m->metadata["model_type"] = model_type;
  if (cfg.contains("architectures")) m->metadata["architectures"] = cfg["architectures"].dump();
  return m;
}

}  // namespace qs
