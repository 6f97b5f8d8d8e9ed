// Weights of a Llama-family model as LibTorch tensors, in the compute dtype and device.
// Linear weights are [out, in] (as stored by llama2.c, GGUF and Hugging Face).
#pragma once
#include <ATen/ATen.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/llm/model/model_config.h"

namespace qs {

class Tokenizer;

struct LayerWeights {
  at::Tensor attn_norm;       // [dim]
  at::Tensor wq, wk, wv, wo;  // [Hq*hd, dim], [Hkv*hd, dim], [Hkv*hd, dim], [dim, Hq*hd]
  at::Tensor bq, bk, bv;      // Qwen2 only, else undefined
  at::Tensor ffn_norm;        // [dim]
  at::Tensor w_gate, w_up;    // [ffn, dim]
  at::Tensor w_down;          // [dim, ffn]
};

struct ModelWeights {
  at::Tensor tok_embd;       // [vocab, dim]
  std::vector<LayerWeights> layers;
  at::Tensor out_norm;       // [dim]
  at::Tensor output;         // [vocab, dim]; the same storage as tok_embd when tied
  at::Tensor rope_freq_factors;  // [hd/2] from GGUF rope_freqs (llama3 scaling), else undefined

  void to(at::Device device, at::ScalarType dtype);
  int64_t bytes() const;
};

// Everything a loader produces.
struct LoadedModel {
  ModelConfig config;
  ModelWeights weights;
  std::shared_ptr<Tokenizer> tokenizer;
  std::string format;          // "llama2.c", "gguf", "huggingface", "random-init"
  std::string path;
  std::string chat_template;   // Jinja text from the file, "" when none
  std::string file_dtype;      // e.g. "F32", "Q8_0 (dequantized)"
  std::map<std::string, std::string> metadata;  // for `info` and the metadata panel
  std::vector<std::string> weight_shards;       // a sharded Hugging Face folder's shard files, by name
  // SHA-256 of the main weights file (computed on the first call, then kept: the files behind
  // a 7B model take seconds to read; 64 hex chars); for a sharded folder, of the index's and
  // every shard's SHA-256 (the index alone is the same for every model of one shape, so a
  // calibration file of one training would pass for another).
  std::string file_hash() const;

 private:
  std::string compute_file_hash() const;
  mutable std::mutex hash_mutex_;  // workers of several threads ask for it
  mutable std::string hash_;
};

struct LoadOptions {
  std::string tokenizer_path;  // llama2.c: the tokenizer .bin; else optional override
  at::Device device = at::Device(at::kCPU);
  at::ScalarType dtype = at::kFloat;
};

// Throws Error(kUnsupported) for a device/dtype pair this LibTorch cannot compute in.
void check_load_options(const LoadOptions& options);

// Picks the loader from the path: a folder is Hugging Face, a file starting with "GGUF" is GGUF,
// anything else is tried as a llama2.c checkpoint.
std::unique_ptr<LoadedModel> load_model(const std::string& path, const LoadOptions& options);

// Per-format loaders, each in its own file.
std::unique_ptr<LoadedModel> load_llama2c(const std::string& path, const LoadOptions& options);
std::unique_ptr<LoadedModel> load_gguf(const std::string& path, const LoadOptions& options);
std::unique_ptr<LoadedModel> load_hf(const std::string& folder, const LoadOptions& options);

// Checks every weight's shape against the config; throws Error(kFormat) naming the tensor.
void check_weight_shapes(const ModelConfig& c, const ModelWeights& w);

// Copies n floats into a new CPU float32 tensor of the given shape.
at::Tensor tensor_from_floats(const float* data, std::vector<int64_t> shape);

}  // namespace qs
