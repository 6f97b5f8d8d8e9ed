#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/common/error.h"
#include "core/llm/model/weights.h"

namespace qs {

std::unique_ptr<LoadedModel> load_model(const std::string& path, const LoadOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) fail_io("model '" + path + "' does not exist");
  if (fs::is_directory(path, ec)) return load_hf(path, options);
  char magic[4] = {0, 0, 0, 0};
  std::ifstream in(path, std::ios::binary);
  if (!in) fail_io("cannot open model '" + path + "'");
  in.read(magic, 4);
  if (in.gcount() == 4 && std::memcmp(magic, "GGUF", 4) == 0) return load_gguf(path, options);
  return load_llama2c(path, options);
}

}  // namespace qs
