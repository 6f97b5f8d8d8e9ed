#include "core/common/memory_budget.h"

#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>

#include "core/common/error.h"

namespace qs {

int64_t memory_budget_bytes() {
  if (const char* env = std::getenv("QUANTISCOPE_MEMORY_LIMIT"); env && *env) {
    char* end = nullptr;
    const double v = std::strtod(env, &end);
    double scale = 1;
    switch (std::toupper(static_cast<unsigned char>(*end))) {
      case 'K': scale = 1024.0, ++end; break;
      case 'M': scale = 1024.0 * 1024, ++end; break;
      case 'G': scale = 1024.0 * 1024 * 1024, ++end; break;
      case 'T': scale = 1024.0 * 1024 * 1024 * 1024, ++end; break;
      default: break;
    }
    if (*end == 'B' || *end == 'b') ++end;
    if (end == env || *end || !(v > 0)) fail(ErrorKind::kInvalidArgument, std::string("QUANTISCOPE_MEMORY_LIMIT='") + env + "' is not a size such as 8G or 512M");
    return int64_t(v * scale);
  }
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? int64_t(pages) * int64_t(page) / 2 : (int64_t(4) << 30);
}

void require_within_budget(double bytes, const std::string& what) {
  const int64_t budget = memory_budget_bytes();
  if (bytes <= double(budget)) return;
  char buf[160];
  std::snprintf(buf, sizeof buf, " needs %.1f GiB, more than the memory limit of %.1f GiB (set QUANTISCOPE_MEMORY_LIMIT to change it)", bytes / double(1 << 30),
                double(budget) / double(1 << 30));
  fail(ErrorKind::kUnsupported, what + buf);
}

}  // namespace qs
