#include "core/llm/train/corpus_check.h"

#include "core/common/error.h"
#include "core/llm/tokenizer/unicode.h"

namespace qs {

void require_text_corpus(const std::string& bytes, const std::string& what) {
  size_t nul = 0, invalid = 0;
  for (size_t i = 0; i < bytes.size();) {
    const unicode::Unit u = unicode::decode_utf8_at(bytes, i);
    nul += u.cp == 0;
    invalid += u.cp == 0xFFFD && u.length == 1;  // a real U+FFFD is three bytes long
    i += u.length;
  }
  if (nul > 0) fail(ErrorKind::kFormat, "train-lm: " + what + " is not text: it holds " + std::to_string(nul) + " NUL bytes (a binary file?)");
  if (double(invalid) > 0.001 * double(bytes.size()))
    fail(ErrorKind::kFormat, "train-lm: " + what + " is not UTF-8 text: " + std::to_string(invalid) + " of its " + std::to_string(bytes.size()) + " bytes are not well-formed UTF-8");
}

}  // namespace qs
