#include "app/cli/bench_common.h"

#include <algorithm>

#include "app/cli/console.h"
#include "core/common/error.h"
#include "core/common/timer.h"
#include "core/common/torch_compat.h"

namespace qs::cli {

std::vector<int64_t> parse_positive_list(const std::string& option, const std::string& text) {
  std::vector<int64_t> out;
  for (const std::string& item : split_list(text)) {
    char* end = nullptr;
    const long long v = std::strtoll(item.c_str(), &end, 10);
    if (item.empty() || *end || v <= 0) fail(ErrorKind::kInvalidArgument, option + ": '" + item + "' is not a positive integer");
    out.push_back(v);
  }
  if (out.empty()) fail(ErrorKind::kInvalidArgument, option + " needs at least one value");
  return out;
}

double copy_bandwidth(at::Device device, int64_t bytes) {
  at::Tensor src = at::empty({bytes / 4}, at::TensorOptions().dtype(at::kFloat).device(device)).fill_(1.0f);
  at::Tensor dst = at::empty_like(src);
  double best = 0;
  for (int i = 0; i < 6; ++i) {
    compat::cuda_synchronize();
    Stopwatch t;
    dst.copy_(src);
    compat::cuda_synchronize();
    if (i > 0) best = std::max(best, 2.0 * double(bytes) / t.seconds());
  }
  return best;
}

double gib(double bytes) { return bytes / double(int64_t(1) << 30); }

}  // namespace qs::cli
