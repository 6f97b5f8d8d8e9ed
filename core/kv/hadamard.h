// Fast Walsh-Hadamard transform (Sylvester order), normalised by 1/sqrt(n) so it is orthonormal
// and its own inverse. On a CUDA tensor of f32/f16/bf16 with n >= 8 one kernel
// (core/kv/cuda/fwht.h) computes it; elsewhere LibTorch tensor ops (log2(n) butterfly stages).
// Both give bit-identical results.
#pragma once
#include <ATen/ATen.h>

namespace qs {

// Over the last dimension; its size must be a power of two in [2, 32768]. float32, f16 and bf16
// are accepted and returned in their own dtype (the butterflies run in float32).
at::Tensor fwht(const at::Tensor& x);
// The tensor-op path alone (the reference the kernel is tested against).
at::Tensor fwht_tensor_ops(const at::Tensor& x);

// The same transform applied independently to each block of `block` consecutive elements of the
// last dimension (block must divide it): RotateKV's grouped-head rotation, or per head.
at::Tensor fwht_blocks(const at::Tensor& x, int64_t block);

// The explicit normalised Sylvester matrix H_n (float64), for tests and small folds.
at::Tensor sylvester_hadamard(int64_t n);

bool is_power_of_two(int64_t n);

}  // namespace qs
