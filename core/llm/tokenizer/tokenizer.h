// One tokenizer class for the two families we meet:
//  - SentencePiece-style BPE (llama2.c tokenizers, GGUF "llama", HF tokenizer.json with a
//    Metaspace/Prepend normaliser): spaces become U+2581, a dummy prefix is added, pieces merge
//    by score (SPM) or merge rank (HF BPE), unknown characters fall back to <0xXX> byte tokens;
//  - GPT-2 byte-level BPE (GGUF "gpt2", HF ByteLevel): a regex pre-split, bytes mapped to GPT-2's
//    printable alphabet, pieces merged by merge rank.
// Loaders (gguf_vocab, llama2c_vocab, hf_tokenizer) fill a TokenizerSpec; the class only runs it.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/llm/tokenizer/unicode.h"

namespace qs {

enum class TokenType : uint8_t { kNormal = 1, kUnknown = 2, kControl = 3, kUserDefined = 4, kUnused = 5, kByte = 6 };

struct TokenizerSpec {
  enum class Merge { kByScore, kByRank };
  enum class Text { kSentencePiece, kByteLevel };
  std::string name;  // "llama (SPM)", "gpt2 (byte-level BPE)", ...
  Merge merge = Merge::kByScore;
  Text text = Text::kSentencePiece;
  unicode::PreSplit pre_split = unicode::PreSplit::kGpt2;  // byte-level only
  std::vector<std::string> pieces;
  std::vector<float> scores;         // kByScore
  std::vector<TokenType> types;      // empty means all normal (byte tokens detected by form)
  std::vector<std::pair<std::string, std::string>> merges;  // kByRank, in rank order
  int32_t bos = -1, eos = -1, unk = -1, pad = -1, eot = -1;
  bool add_bos = false, add_eos = false;
  bool add_space_prefix = true;      // SentencePiece dummy prefix
  bool byte_fallback = true;
};

class Tokenizer {
 public:
  explicit Tokenizer(TokenizerSpec spec);

  // add_special: prepend BOS / append EOS as the spec says. parse_special: text like "<s>" or
  // "<|im_start|>" becomes the control token instead of being spelled out.
  std::vector<int32_t> encode(const std::string& text, bool add_special, bool parse_special) const;
  // Raw bytes of one token as it appears in text (control tokens give "" unless render_special).
  std::string piece_bytes(int32_t id, bool render_special = false) const;
  // Text of a whole sequence, with SentencePiece's leading-space rule applied after BOS.
  std::string decode(const std::vector<int32_t>& ids, bool render_special = false) const;

  int32_t n_vocab() const { return int32_t(spec_.pieces.size()); }
  int32_t bos() const { return spec_.bos; }
  int32_t eos() const { return spec_.eos; }
  int32_t eot() const { return spec_.eot; }
  bool add_bos() const { return spec_.add_bos; }
  const std::string& name() const { return spec_.name; }
  const std::string& piece(int32_t id) const { return spec_.pieces.at(size_t(id)); }
  TokenType type(int32_t id) const;
  // Token id of an exact piece, or -1.
  int32_t find(const std::string& piece) const;
  // Tokens that end a generation turn: EOS, EOT and well-known end-of-turn pieces.
  std::vector<int32_t> end_of_generation() const;
  const TokenizerSpec& spec() const { return spec_; }

 private:
  void encode_fragment(const std::string& text, bool at_start, std::vector<int32_t>* out) const;
  void encode_word(const std::string& word, std::vector<int32_t>* out) const;
  void encode_long_word(const std::string& word, std::vector<int32_t>* out) const;
  void emit_symbol(const std::string& sym, std::vector<int32_t>* out) const;

  TokenizerSpec spec_;
  std::unordered_map<std::string, int32_t> piece_to_id_;
  std::unordered_map<std::string, int32_t> merge_rank_;  // "left right" -> rank
  std::vector<int32_t> byte_token_;                      // byte value -> <0xXX> token id or -1
  std::vector<std::pair<std::string, int32_t>> specials_;  // longest first
  std::vector<bool> special_first_byte_;                   // a special token can start with this byte
  bool newline_is_barrier_ = false;                        // no piece or merge spans a '\n'
};

}  // namespace qs
