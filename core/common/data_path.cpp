#include "core/common/data_path.h"

#include <cstdlib>
#include <filesystem>

namespace qs {

std::string data_root() {
  if (const char* env = std::getenv("QUANTISCOPE_DATA"); env && *env) return env;
  namespace fs = std::filesystem;
  for (const fs::path& candidate : {fs::path("../shared/data"), fs::path(QS_SOURCE_DIR) / "../shared/data"}) {
    std::error_code ec;
    if (fs::is_directory(candidate, ec)) return fs::weakly_canonical(candidate, ec).string();
  }
  return "../shared/data";
}

std::string data_file(const std::string& relative) { return data_root() + "/" + relative; }

}  // namespace qs
