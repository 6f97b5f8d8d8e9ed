#include "core/common/bundled_models.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "core/common/data_path.h"

namespace qs {
namespace fs = std::filesystem;

namespace {

bool is_hf_folder(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec) && fs::is_regular_file(p / "config.json", ec);
}

// Entries of one folder that load_model() reads as a whole model, sorted by name.
std::vector<BundledModel> models_in(const fs::path& dir, const std::string& origin, bool files_too) {
  std::vector<BundledModel> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const fs::path p = entry.path();
    if (is_hf_folder(p)) {
      out.push_back({p.filename().string(), p.string(), origin});
    } else if (files_too && fs::is_directory(p, ec)) {  // llm/<name>/<file>.gguf, as the test data keeps them
      for (const auto& f : fs::directory_iterator(p, ec))
        if (f.path().extension() == ".gguf") out.push_back({f.path().filename().string(), f.path().string(), origin});
    }
  }
  std::sort(out.begin(), out.end(), [](const BundledModel& a, const BundledModel& b) { return a.name < b.name; });
  return out;
}

}  // namespace

std::string resources_root() {
  if (const char* env = std::getenv("QUANTISCOPE_RESOURCES"); env && *env) return env;
  std::error_code ec;
  const fs::path installed = fs::path(QS_INSTALL_DATADIR) / "quantiscope/resources";
  if (fs::is_directory(installed / "models", ec)) return installed.string();
  return (fs::path(QS_SOURCE_DIR) / "resources").string();
}

std::vector<BundledModel> bundled_models() {
  std::vector<BundledModel> out = models_in(fs::path(resources_root()) / "models", "shipped", false);
  for (auto& m : models_in(fs::path(data_root()) / "llm", "test data", true)) out.push_back(std::move(m));
  return out;
}

}  // namespace qs
