// tokenizer.json: input is "<tokenizer.json>\0<tokenizer_config.json>"; anything accepted is
// then used to encode and decode text.
#include <string>

#include "core/common/error.h"
#include "core/llm/tokenizer/vocab_loaders.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string all(reinterpret_cast<const char*>(data), size);
  size_t nul = all.find('\0');
  std::string tj = all.substr(0, nul), cfg = nul == std::string::npos ? "" : all.substr(nul + 1);
  try {
    auto tok = qs::tokenizer_from_hf_json(tj, cfg);
    tok->decode(tok->encode("Hello, world! It's 2024 \xe2\x98\x83 <|im_start|>", true, true));
  } catch (const qs::Error&) {
  } catch (const std::exception&) {
    // nlohmann type errors from odd field types: reported to users as a plain error message
  }
  return 0;
}
