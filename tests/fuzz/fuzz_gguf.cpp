// GGUF parser plus what the loader does next with metadata: the tokenizer builder and the
// dequantizer of every tensor the parser accepted.
#include <vector>

#include "core/common/error.h"
#include "core/llm/formats/gguf.h"
#include "core/llm/tokenizer/vocab_loaders.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    auto f = qs::gguf::File::parse(qs::FileBytes::from_buffer(data, size));
    for (const auto& t : f.tensors()) {
      if (t.n_elements() > (1u << 20)) continue;  // the parser already bounded it by the file size
      std::vector<float> out(t.n_elements());
      try {
        qs::ggml::dequantize(t.type, f.tensor_data(t), out.size(), out.data());
      } catch (const qs::Error&) {
      }
    }
    try {
      auto tok = qs::tokenizer_from_gguf(f);
      tok->decode(tok->encode("Hello world 123 <s>", true, true));
    } catch (const qs::Error&) {
    }
  } catch (const qs::Error&) {
  }
  return 0;
}
