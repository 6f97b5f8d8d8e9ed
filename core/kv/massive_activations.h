// Massive activations: the few tokens whose residual-stream entries are orders of magnitude
// larger than the rest mark attention sinks (RotateKV, AKVQ-VL pivots).
#pragma once
#include <ATen/ATen.h>

namespace qs {

// RotateKV's rule: the tokens holding the top-k |h| entries of hidden [B, T, D] (entries of one
// token may repeat, so 1..k distinct tokens). Returns bool [B, T].
at::Tensor massive_activation_tokens(const at::Tensor& hidden, int64_t k);

// AKVQ-VL pivots as we read them: the n tokens with the largest max_c |h| (n distinct tokens, or
// all when T <= n). Returns bool [B, T].
at::Tensor top_tokens_by_max_abs(const at::Tensor& hidden, int64_t n);

}  // namespace qs
