// Normalised fast Walsh-Hadamard transform of rows on the GPU: the same function as qs::fwht's
// tensor-op path (core/kv/hadamard.h), in one launch instead of some 25 per call.
//
// Input  x [rows, n] contiguous, f32 / f16 / bf16, n = 2^k with 8 <= n <= 32768, 16-byte aligned.
// Output y [rows, n] in the same dtype (may alias x): y = H_n x / sqrt(n), Sylvester order.
// Arithmetic: read as float32, butterflies (a, b) -> (a + b, a - b) in stage order h = 1, 2, ...,
// n/2, then one multiply by float(1/sqrt(n)) and a round-to-nearest store: the operations of the
// tensor path, so the results are bit-identical to it.
// Work split: a thread holds E = 8..32 consecutive elements (stages h < E in registers), the
// lanes of a row exchange by shuffles (E <= h < 1024); rows longer than 1024 go through shared
// memory for the stages h >= 1024 (a thread then holds one element of each 1024-element chunk).
#pragma once
#include <cstdint>

#include "core/kv/cuda/element_types.h"

namespace qs::cuda {

// Why rows of n elements of this dtype at these addresses have no kernel ("" when they have one).
const char* fwht_unsupported(int64_t n, const void* x, const void* y);
// Returns a CUDA error string or nullptr.
const char* launch_fwht(const void* x, void* y, int64_t rows, int32_t n, DType dtype, void* stream);

}  // namespace qs::cuda
