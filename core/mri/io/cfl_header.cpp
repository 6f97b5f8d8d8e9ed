#include "core/mri/io/cfl_header.h"

#include <sstream>

#include "core/common/error.h"

namespace qs::mri {

CflHeader parse_cfl_header(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  std::string line;
  CflHeader h;
  while (std::getline(in, line)) {
    if (line.rfind("# Dimensions", 0) != 0) continue;
    if (!std::getline(in, line)) break;
    std::istringstream d(line);
    long long v;
    while (d >> v) {
      if (v < 1 || v > (1LL << 31)) fail_format("'" + name + "': dimension " + std::to_string(v) + " is out of range");
      h.dims.push_back(v);
      if (h.dims.size() > size_t(kBartDims)) break;
    }
    break;
  }
  if (h.dims.empty() || h.dims.size() > size_t(kBartDims)) fail_format("'" + name + "' has no valid '# Dimensions' line");
  h.dims.resize(kBartDims, 1);
  h.elements = 1;  // each dim <= 2^31, and we stop as soon as the file cannot hold it
  for (auto d : h.dims) {
    h.elements *= static_cast<uint64_t>(d);
    if (h.elements > (uint64_t{1} << 40)) fail_format("'" + name + "' promises more data than any .cfl file could hold");
  }
  return h;
}

}  // namespace qs::mri
