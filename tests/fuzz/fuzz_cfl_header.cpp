// BART's .hdr text (core/mri/io/cfl_header.h) on arbitrary bytes: a refusal is qs::Error; an
// accepted header has 16 sizes of at least 1 whose product is the element count.
#include <string>

#include "core/common/error.h"
#include "core/mri/io/cfl_header.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const qs::mri::CflHeader h = qs::mri::parse_cfl_header(std::string(reinterpret_cast<const char*>(data), size), "fuzz.hdr");
    uint64_t n = 1;
    for (int64_t d : h.dims) {
      if (d < 1) __builtin_trap();
      n *= uint64_t(d);
    }
    if (h.dims.size() != size_t(qs::mri::kBartDims) || n != h.elements) __builtin_trap();
  } catch (const qs::Error&) {
  }
  return 0;
}
