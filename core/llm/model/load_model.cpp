#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/common/error.h"
#include "core/common/file_bytes.h"
#include "core/common/torch_compat.h"
#include "core/llm/model/weights.h"

namespace qs {

void check_load_options(const LoadOptions& options) {
  if (options.device.is_cpu() && options.dtype == at::kHalf && !compat::kCpuHalfMatmul)
    fail(ErrorKind::kUnsupported, std::string("f16 compute on the CPU needs LibTorch 2.1 or newer (this build has ") + compat::torch_version() +
                                      "); use --dtype bf16 or f32 on the CPU (an f16 KV cache, -ctk f16, works)");
}

std::unique_ptr<LoadedModel> load_model(const std::string& path, const LoadOptions& options) {
  namespace fs = std::filesystem;
  check_load_options(options);
  std::error_code ec;
  if (!fs::exists(path, ec)) fail_io("model '" + path + "' does not exist");
  require_regular_file_or_folder(path, "model");
  if (fs::is_directory(path, ec)) return load_hf(path, options);
  char magic[4] = {0, 0, 0, 0};
  std::ifstream in(path, std::ios::binary);
  if (!in) fail_io("cannot open model '" + path + "'");
  in.read(magic, 4);
  if (in.gcount() == 4 && std::memcmp(magic, "GGUF", 4) == 0) return load_gguf(path, options);
  return load_llama2c(path, options);
}

}  // namespace qs
