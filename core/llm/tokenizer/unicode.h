// The small part of Unicode the tokenizers need: UTF-8 decoding that never fails (invalid bytes
// become one-byte units), letter/number/whitespace classes, GPT-2's byte<->unicode alphabet and
// the pre-tokenizer splits of GPT-2 and Llama-3/Qwen2, written out by hand as llama.cpp does.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace qs::unicode {

// One decoded unit: a code point and where its bytes are in the source string.
struct Unit {
  uint32_t cp;      // 0xFFFD for an invalid byte
  uint32_t offset;
  uint32_t length;  // 1-4
};

// The unit starting at byte `offset` (< text.size()): a well-formed sequence (no overlongs, no
// surrogates, nothing above U+10FFFF), or cp 0xFFFD of length 1 for an invalid byte.
Unit decode_utf8_at(const std::string& text, size_t offset);
std::vector<Unit> decode_utf8(const std::string& text);
std::string encode_utf8(uint32_t cp);
// Length of the longest prefix of s that ends on a complete UTF-8 sequence boundary (used to
// hold back a partial character while streaming).
size_t complete_utf8_prefix(const std::string& s);

bool is_letter(uint32_t cp);
bool is_number(uint32_t cp);
bool is_whitespace(uint32_t cp);  // the Unicode White_Space property

// GPT-2's reversible map from bytes to printable code points, and back.
std::string bytes_to_gpt2_unicode(const std::string& bytes);
// Returns false if some code point is not in the GPT-2 alphabet.
bool gpt2_unicode_to_bytes(const std::string& text, std::string* bytes);

enum class PreSplit { kGpt2, kLlama3, kQwen2 };
// Splits text into pre-tokens (byte ranges returned as strings), per the named regex.
std::vector<std::string> pre_split(const std::string& text, PreSplit kind);

}  // namespace qs::unicode
