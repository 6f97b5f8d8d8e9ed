#include "app/cli/bench_common.h"

#include <algorithm>
#include <cstdio>

#include "app/cli/console.h"
#include "core/common/error.h"
#include "core/common/timer.h"
#include "core/common/memory_budget.h"
#include "core/common/torch_compat.h"
#include "core/kv/kv_side.h"
#include "core/llm/model/transformer.h"

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

double kv_cache_bytes(const Transformer& model, const std::string& k_type, const std::string& v_type, int64_t tokens, const KvOptions& options) {
  KvShape shape = kv_shape_for(model.config(), tokens);
  shape.options = options;
  const KvFootprint f = kv_footprint(shape, k_type, v_type);
  return double(f.k.bytes + f.v.bytes);
}

void require_fits(at::Device device, double bytes, const std::string& what) {
  if (!device.is_cuda()) return require_within_budget(bytes, what);
  size_t free_bytes = 0, total = 0;
  compat::cuda_memory_info(free_bytes, total);
  if (total && bytes > double(free_bytes)) {
    char buf[160];
    std::snprintf(buf, sizeof buf, " needs %.1f GiB beyond the weights, %.1f GiB of the GPU are free", gib(bytes), gib(double(free_bytes)));
    fail(ErrorKind::kUnsupported, what + buf);
  }
}

}  // namespace qs::cli
