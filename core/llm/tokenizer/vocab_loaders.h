// Builders of a Tokenizer from each file family. Each validates what it reads and throws
// qs::Error naming the file and the problem.
#pragma once
#include <memory>
#include <string>

#include "core/llm/tokenizer/tokenizer.h"

namespace qs {
namespace gguf { class File; }
namespace llama2c { struct TokenizerFile; }

std::shared_ptr<Tokenizer> tokenizer_from_gguf(const gguf::File& file);
std::shared_ptr<Tokenizer> tokenizer_from_llama2c(const llama2c::TokenizerFile& file);
// tokenizer.json text plus the optional tokenizer_config.json text ("" when absent).
std::shared_ptr<Tokenizer> tokenizer_from_hf_json(const std::string& tokenizer_json, const std::string& tokenizer_config_json);
// A folder or a tokenizer.json path; reads tokenizer_config.json beside it when present.
std::shared_ptr<Tokenizer> tokenizer_from_hf_files(const std::string& path);
// tokenizer.model, a SentencePiece protobuf (HF folders that ship no tokenizer.json).
std::shared_ptr<Tokenizer> tokenizer_from_spm_model(const std::string& path);
std::shared_ptr<Tokenizer> tokenizer_from_spm_model_bytes(const uint8_t* data, size_t size);

}  // namespace qs
