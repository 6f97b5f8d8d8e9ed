#include "core/common/output_guard.h"

#include <filesystem>

#include "core/common/error.h"

namespace qs {

void ensure_may_write(const std::string& path, bool force) {
  if (path.empty()) fail(ErrorKind::kInvalidArgument, "empty output path");
  if (!force && std::filesystem::exists(path)) fail(ErrorKind::kInvalidArgument, "'" + path + "' exists; pass --force to replace it");
}

}  // namespace qs
