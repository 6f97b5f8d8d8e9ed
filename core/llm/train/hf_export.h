// Writes a trained model as a Hugging Face folder the runtime's HF loader (and transformers'
// LlamaForCausalLM) reads: config.json (model_type llama, rotate-half RoPE as stored),
// model.safetensors (f32 or bf16, transformers' tensor names) or, past `max_file_bytes`, shards
// model-0000N-of-0000M.safetensors with model.safetensors.index.json, the tokenizer.model it
// was trained with and a tokenizer_config.json with no chat template. Every file is written
// atomically; an existing folder is refused unless overwrite.
#pragma once
#include <cstdint>
#include <string>

#include "core/llm/model/weights.h"

namespace qs {

struct HfExportOptions {
  std::string tokenizer_model;          // path of the SentencePiece model to copy
  int64_t max_file_bytes = 15ll << 20;  // shards stay under 16 MiB (the project's file limit)
  at::ScalarType dtype = at::kFloat;    // or at::kBFloat16 (rounded to nearest even)
  bool overwrite = false;
};

void export_hf_folder(const LoadedModel& model, const std::string& folder, const HfExportOptions& options);

}  // namespace qs
