#include "core/llm/formats/llama2c.h"
#include "core/llm/tokenizer/vocab_loaders.h"

namespace qs {

// llama2.c stores SentencePiece pieces with ' ' for U+2581, BOS as "\n<s>\n", EOS as "\n</s>\n".
std::shared_ptr<Tokenizer> tokenizer_from_llama2c(const llama2c::TokenizerFile& file) {
  TokenizerSpec s;
  s.name = "llama2.c (SentencePiece BPE)";
  s.merge = TokenizerSpec::Merge::kByScore;
  s.text = TokenizerSpec::Text::kSentencePiece;
  s.scores = file.scores;
  s.bos = 1;
  s.eos = 2;
  s.unk = 0;
  s.add_bos = true;
  for (size_t i = 0; i < file.pieces.size(); ++i) {
    std::string p = file.pieces[i];
    TokenType t = TokenType::kNormal;
    if (int32_t(i) == s.unk) t = TokenType::kUnknown;
    else if (int32_t(i) == s.bos || int32_t(i) == s.eos) t = TokenType::kControl;
    else if (p.size() == 6 && p.compare(0, 3, "<0x") == 0 && p[5] == '>') t = TokenType::kByte;
    if (t == TokenType::kNormal) {
      std::string q;
      for (char c : p) q += c == ' ' ? std::string("\xE2\x96\x81") : std::string(1, c);
      p = q;
    }
    s.pieces.push_back(std::move(p));
    s.types.push_back(t);
  }
  return std::make_shared<Tokenizer>(std::move(s));
}

}  // namespace qs
