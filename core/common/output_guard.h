// User data is never overwritten without asking: every command that writes a file checks
// here first, and only --force lets it replace an existing one.
#pragma once
#include <string>

namespace qs {

// Throws Error(kInvalidArgument) when `path` exists and `force` is false.
void ensure_may_write(const std::string& path, bool force);

}  // namespace qs
