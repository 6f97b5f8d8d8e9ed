// A training corpus must be text: no NUL bytes and at most 0.1% of its bytes outside well-formed
// UTF-8 (a few stray Latin-1 bytes pass; an image, an archive or random bytes do not, though the
// byte-fallback tokenizer would happily turn them into tokens).
#pragma once
#include <string>

namespace qs {

// Throws Error(kFormat) naming `what` and the reason when `bytes` is not text.
void require_text_corpus(const std::string& bytes, const std::string& what);

}  // namespace qs
