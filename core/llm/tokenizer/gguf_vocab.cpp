#include "core/common/error.h"
#include "core/llm/formats/gguf.h"
#include "core/llm/tokenizer/vocab_loaders.h"

namespace qs {

std::shared_ptr<Tokenizer> tokenizer_from_gguf(const gguf::File& f) {
  TokenizerSpec s;
  const std::string model = f.get_string("tokenizer.ggml.model");
  s.pieces = f.get_string_array("tokenizer.ggml.tokens");
  if (f.has("tokenizer.ggml.token_type")) {
    auto types = f.get_number_array("tokenizer.ggml.token_type");
    if (types.size() != s.pieces.size()) fail_format("GGUF: tokenizer.ggml.token_type has " + std::to_string(types.size()) + " entries for " + std::to_string(s.pieces.size()) + " tokens");
    for (double t : types) s.types.push_back((t >= 1 && t <= 6) ? TokenType(int(t)) : TokenType::kNormal);
  }
  auto id = [&](const char* key) { return int32_t(f.maybe_int(key).value_or(-1)); };
  s.bos = id("tokenizer.ggml.bos_token_id");
  s.eos = id("tokenizer.ggml.eos_token_id");
  s.unk = id("tokenizer.ggml.unknown_token_id");
  s.pad = id("tokenizer.ggml.padding_token_id");
  s.eot = id("tokenizer.ggml.eot_token_id");
  auto flag = [&](const char* key, bool def) {
    const gguf::Value* v = f.find(key);
    return v ? v->as_int() != 0 : def;
  };
  if (model == "llama") {
    s.name = "llama (SentencePiece BPE)";
    s.merge = TokenizerSpec::Merge::kByScore;
    s.text = TokenizerSpec::Text::kSentencePiece;
    if (f.has("tokenizer.ggml.scores")) {
      for (double v : f.get_number_array("tokenizer.ggml.scores")) s.scores.push_back(float(v));
    } else {
      s.scores.assign(s.pieces.size(), 0.0f);
    }
    if (s.scores.size() != s.pieces.size()) fail_format("GGUF: tokenizer.ggml.scores count differs from the token count");
    s.add_bos = flag("tokenizer.ggml.add_bos_token", true);
    s.add_eos = flag("tokenizer.ggml.add_eos_token", false);
    s.add_space_prefix = flag("tokenizer.ggml.add_space_prefix", true);
    if (s.bos < 0) s.bos = 1;
    if (s.eos < 0) s.eos = 2;
    if (s.unk < 0) s.unk = 0;
  } else if (model == "gpt2") {
    s.name = "gpt2 (byte-level BPE)";
    s.merge = TokenizerSpec::Merge::kByRank;
    s.text = TokenizerSpec::Text::kByteLevel;
    s.byte_fallback = false;
    for (const std::string& m : f.get_string_array("tokenizer.ggml.merges")) {
      size_t sp = m.find(' ', 1);
      if (sp == std::string::npos) fail_format("GGUF: merge '" + m + "' has no space");
      s.merges.emplace_back(m.substr(0, sp), m.substr(sp + 1));
    }
    std::string pre = f.maybe_string("tokenizer.ggml.pre").value_or("default");
    if (pre == "gpt-2" || pre == "default") s.pre_split = unicode::PreSplit::kGpt2;
    else if (pre == "llama3" || pre == "llama-v3" || pre == "llama-bpe" || pre == "smaug-bpe") s.pre_split = unicode::PreSplit::kLlama3;
    else if (pre == "qwen2") s.pre_split = unicode::PreSplit::kQwen2;
    else fail(ErrorKind::kUnsupported, "GGUF: pre-tokenizer '" + pre + "' is not supported (gpt-2, llama-bpe and qwen2 are)");
    s.name += ", pre " + pre;
    s.add_bos = flag("tokenizer.ggml.add_bos_token", false);
    s.add_eos = flag("tokenizer.ggml.add_eos_token", false);
    s.add_space_prefix = false;
  } else {
    fail(ErrorKind::kUnsupported, "GGUF: tokenizer model '" + model + "' is not supported (llama and gpt2 are)");
  }
  return std::make_shared<Tokenizer>(std::move(s));
}

}  // namespace qs
