#include "core/common/allocator_tuning.h"

#include <unistd.h>

#include <cstdlib>
#include <string>

namespace qs {

void reexec_with_tensor_friendly_malloc(char** argv) {
#if defined(__GLIBC__) && defined(__linux__)
  const char* current = std::getenv("GLIBC_TUNABLES");
  const std::string tunables = current ? current : "";
  if (std::getenv("QS_KEEP_MALLOC") || tunables.find("glibc.malloc.mmap_threshold") != std::string::npos) return;
  const std::string ours = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824";
  if (setenv("GLIBC_TUNABLES", (tunables.empty() ? ours : tunables + ":" + ours).c_str(), 1) != 0) return;
  execv("/proc/self/exe", argv);
  // exec failed (no /proc, seccomp...): run on with the default allocator settings.
  if (current) setenv("GLIBC_TUNABLES", current, 1);
  else unsetenv("GLIBC_TUNABLES");
#else
  (void)argv;
#endif
}

}  // namespace qs
