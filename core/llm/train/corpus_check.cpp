#include "core/llm/train/corpus_check.h"

#include <cstdint>

#include "core/common/error.h"

namespace qs {
namespace {

// Length of the well-formed UTF-8 sequence starting at s[i], or 0 (RFC 3629: no overlongs,
// no surrogates, nothing above U+10FFFF).
size_t utf8_sequence_length(const std::string& s, size_t i) {
  const auto b = [&](size_t k) { return uint8_t(s[k]); };
  const uint8_t c = b(i);
  if (c < 0x80) return 1;
  size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((b(i + k) & 0xC0) != 0x80) return 0;
  if (c == 0xE0 && b(i + 1) < 0xA0) return 0;  // overlong
  if (c == 0xED && b(i + 1) > 0x9F) return 0;  // surrogate
  if (c == 0xF0 && b(i + 1) < 0x90) return 0;  // overlong
  if (c == 0xF4 && b(i + 1) > 0x8F) return 0;  // above U+10FFFF
  return n;
}

}  // namespace

void require_text_corpus(const std::string& bytes, const std::string& what) {
  size_t nul = 0, invalid = 0;
  for (size_t i = 0; i < bytes.size();) {
    if (bytes[i] == '\0') ++nul;
    const size_t n = utf8_sequence_length(bytes, i);
    if (n == 0) ++invalid, ++i;
    else i += n;
  }
  if (nul > 0) fail(ErrorKind::kFormat, "train-lm: " + what + " is not text: it holds " + std::to_string(nul) + " NUL bytes (a binary file?)");
  if (double(invalid) > 0.001 * double(bytes.size()))
    fail(ErrorKind::kFormat, "train-lm: " + what + " is not UTF-8 text: " + std::to_string(invalid) + " of its " + std::to_string(bytes.size()) + " bytes are not well-formed UTF-8");
}

}  // namespace qs
