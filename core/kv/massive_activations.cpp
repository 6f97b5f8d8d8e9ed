#include "core/kv/massive_activations.h"

#include <algorithm>

#include "core/common/error.h"

namespace qs {
namespace {
// Indices of the k largest entries per row; ties go to the earliest index, so repeated tokens
// (identical embeddings at layer 0) pick the same sinks on every device.
at::Tensor first_largest(const at::Tensor& rows, int64_t k) {
  at::Tensor order = std::get<1>(at::sort(rows, /*stable=*/true, /*dim=*/1, /*descending=*/true));
  return order.narrow(1, 0, k);
}

void check_hidden(const at::Tensor& h) {
  if (h.dim() != 3) fail(ErrorKind::kInvalidArgument, "massive activations: hidden states must be [batch, tokens, dim]");
}
}  // namespace

at::Tensor massive_activation_tokens(const at::Tensor& hidden, int64_t k) {
  check_hidden(hidden);
  const int64_t B = hidden.size(0), T = hidden.size(1), D = hidden.size(2);
  at::Tensor mask = at::zeros({B, T}, hidden.options().dtype(at::kBool));
  if (k <= 0 || T == 0) return mask;
  at::Tensor flat = at::abs(hidden.to(at::kFloat)).reshape({B, T * D});
  at::Tensor idx = first_largest(flat, std::min(k, T * D));
  mask.scatter_(1, at::floor_divide(idx, D), true);
  return mask;
}

at::Tensor top_tokens_by_max_abs(const at::Tensor& hidden, int64_t n) {
  check_hidden(hidden);
  const int64_t B = hidden.size(0), T = hidden.size(1);
  at::Tensor mask = at::zeros({B, T}, hidden.options().dtype(at::kBool));
  if (n <= 0 || T == 0) return mask;
  at::Tensor peak = at::abs(hidden.to(at::kFloat)).amax(-1);  // [B, T]
  mask.scatter_(1, first_largest(peak, std::min(n, T)), true);
  return mask;
}

}  // namespace qs
