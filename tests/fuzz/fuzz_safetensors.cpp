#include "core/common/error.h"
#include "core/llm/formats/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    auto f = qs::safetensors::File::parse(qs::FileBytes::from_buffer(data, size));
    for (const auto& [name, t] : f.tensors()) {
      volatile uint8_t sink = 0;
      if (t.n_bytes) sink = f.data(t)[t.n_bytes - 1];  // every range must lie inside the buffer
      (void)sink;
    }
  } catch (const qs::Error&) {
  }
  return 0;
}
