#include "core/kv/massive_activations.h"

#include <algorithm>

#include "core/common/error.h"

namespace qs {
namespace {
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
  at::Tensor idx = std::get<1>(flat.topk(std::min(k, T * D), 1));
  mask.scatter_(1, at::floor_divide(idx, D), true);
  return mask;
}

at::Tensor top_tokens_by_max_abs(const at::Tensor& hidden, int64_t n) {
  check_hidden(hidden);
  const int64_t B = hidden.size(0), T = hidden.size(1);
  at::Tensor mask = at::zeros({B, T}, hidden.options().dtype(at::kBool));
  if (n <= 0 || T == 0) return mask;
  at::Tensor peak = at::abs(hidden.to(at::kFloat)).amax(-1);  // [B, T]
  mask.scatter_(1, std::get<1>(peak.topk(std::min(n, T), 1)), true);
  return mask;
}

}  // namespace qs
