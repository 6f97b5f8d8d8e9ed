// Named model shapes with random weights, for speed benchmarks only (outputs are meaningless
// and every report labels them "random-init").
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/llm/model/weights.h"

namespace qs {

std::vector<std::string> random_init_shapes();  // "llama2-7b", "llama3-8b", "stories260k"
// A model of the named shape on the given device/dtype, with a byte-level stand-in tokenizer.
std::unique_ptr<LoadedModel> random_init_model(const std::string& shape, const LoadOptions& options, uint64_t seed = 0);
ModelConfig random_init_config(const std::string& shape);

}  // namespace qs
