// The logit file's header (core/llm/eval/logit_header.h) on arbitrary bytes taken as a whole
// file: a refusal is qs::Error; an accepted header's windows all lie inside the file.
#include <string>

#include "core/common/error.h"
#include "core/llm/eval/logit_header.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const qs::LogitLayout l = qs::parse_logit_header(data, size, "fuzz.logits");
    if (l.vocab < 1 || l.ctx < 2 || l.windows < 1) __builtin_trap();
    const unsigned __int128 need = (unsigned __int128)l.window_bytes * uint64_t(l.windows) + qs::LogitLayout::kHeaderBytes;
    if (need > size) __builtin_trap();
    // Touch the last byte a reader would read.
    volatile uint8_t last = data[size_t(need) - 1];
    (void)last;
  } catch (const qs::Error&) {
  }
  return 0;
}
