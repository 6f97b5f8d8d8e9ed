#include "core/kv/hadamard.h"

#include <cmath>

#include "core/common/error.h"
#include "core/kv/fused_kernels.h"

namespace qs {

bool is_power_of_two(int64_t n) { return n > 0 && (n & (n - 1)) == 0; }

namespace {

void check_fwht_input(const at::Tensor& x) {
  const int64_t n = x.dim() ? x.size(-1) : 0;
  if (!is_power_of_two(n) || n < 2 || n > 32768)
    fail(ErrorKind::kInvalidArgument, "fwht: last dimension " + std::to_string(n) + " is not a power of two in [2, 32768]");
  const at::ScalarType dtype = x.scalar_type();
  if (dtype != at::kFloat && dtype != at::kHalf && dtype != at::kBFloat16 && dtype != at::kDouble)
    fail(ErrorKind::kInvalidArgument, "fwht: floating-point input expected");
}

}  // namespace

at::Tensor fwht(const at::Tensor& x) {
  check_fwht_input(x);
  if (x.is_cuda()) {
    const at::Tensor in = x.contiguous();
    at::Tensor y = at::empty_like(in);
    if (try_fused_fwht(in, y).empty()) return y;
  }
  return fwht_tensor_ops(x);
}

at::Tensor fwht_tensor_ops(const at::Tensor& x) {
  check_fwht_input(x);
  const int64_t n = x.size(-1);
  const at::ScalarType dtype = x.scalar_type();
  const auto outer = x.sizes().slice(0, size_t(x.dim() - 1)).vec();
  at::Tensor y = (dtype == at::kDouble ? x : x.to(at::kFloat)).reshape({-1, n});
  const int64_t rows = y.size(0);
  // Stage h pairs element i with i + h inside blocks of 2h: (a, b) -> (a + b, a - b).
  for (int64_t h = 1; h < n; h *= 2) {
    at::Tensor v = y.view({rows, n / (2 * h), 2, h});
    at::Tensor a = v.select(2, 0), b = v.select(2, 1);
    y = at::stack({a + b, a - b}, 2).view({rows, n});
  }
  y = y * (1.0 / std::sqrt(double(n)));
  std::vector<int64_t> shape = outer;
  shape.push_back(n);
  return y.view(shape).to(dtype);
}

at::Tensor fwht_blocks(const at::Tensor& x, int64_t block) {
  const int64_t n = x.size(-1);
  if (block <= 0 || n % block != 0) fail(ErrorKind::kInvalidArgument, "fwht_blocks: block " + std::to_string(block) + " does not divide " + std::to_string(n));
  if (block == n) return fwht(x);
  std::vector<int64_t> shape = x.sizes().vec();
  shape.back() = n / block;
  shape.push_back(block);
  return fwht(x.reshape(shape)).reshape(x.sizes());
}

at::Tensor sylvester_hadamard(int64_t n) {
  if (!is_power_of_two(n)) fail(ErrorKind::kInvalidArgument, "sylvester_hadamard: n must be a power of two");
  at::Tensor h = at::ones({1, 1}, at::kDouble);
  while (h.size(0) < n) h = at::cat({at::cat({h, h}, 1), at::cat({h, -h}, 1)}, 0);
  return h / std::sqrt(double(n));
}

}  // namespace qs
