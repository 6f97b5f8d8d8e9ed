// Where the real test assets and default models live: env QUANTISCOPE_DATA, else ../shared/data
// relative to the working directory, else relative to the source tree.
#pragma once
#include <string>

namespace qs {

std::string data_root();
// data_root() + "/" + relative
std::string data_file(const std::string& relative);

}  // namespace qs
