// The models a fresh install can open without downloading anything: the Hugging Face folders the
// project trained and ships (resources/models/*/ with a config.json), then the real test models
// under QUANTISCOPE_DATA (llm/*: GGUF files and Hugging Face folders). The GUI offers them as its
// defaults; the first one is what the workbench opens when no model is given.
#pragma once
#include <string>
#include <vector>

namespace qs {

struct BundledModel {
  std::string name;    // folder or file name, e.g. "qs-ref-llm"
  std::string path;    // what load_model() takes
  std::string origin;  // "shipped" (resources/models) or "test data" (QUANTISCOPE_DATA)
};

// Where resources/ is: env QUANTISCOPE_RESOURCES, else <prefix>/share/quantiscope/resources of an
// install, else the source tree this binary was built from.
std::string resources_root();
// Shipped models first (sorted by name), then the test-data models (sorted); only paths that exist.
std::vector<BundledModel> bundled_models();

}  // namespace qs
