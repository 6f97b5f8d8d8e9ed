// The first 4 bytes pick the tokenizer vocabulary size; the rest is tried both as a checkpoint
// and as a tokenizer file.
#include <cstring>

#include "core/common/error.h"
#include "core/llm/formats/llama2c.h"
#include "core/llm/tokenizer/vocab_loaders.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    auto c = qs::llama2c::parse_checkpoint(qs::FileBytes::from_buffer(data, size));
    volatile float sink = c.floats(c.layout.wcls)[c.layout.wcls.count - 1];
    (void)sink;
  } catch (const qs::Error&) {
  }
  if (size < 4) return 0;
  int32_t vocab;
  std::memcpy(&vocab, data, 4);
  try {
    auto bytes = qs::FileBytes::from_buffer(data + 4, size - 4);
    auto t = qs::llama2c::parse_tokenizer(*bytes, vocab % 4096);
    auto tok = qs::tokenizer_from_llama2c(t);
    tok->decode(tok->encode("Once upon a time\n", true, false));
  } catch (const qs::Error&) {
  }
  return 0;
}
