// The element and code formats the KV kernels are told about (plain C++, no CUDA or LibTorch).
#pragma once
#include <cstdint>

namespace qs::cuda {

// Floating-point tensors a kernel reads or writes.
enum class DType : int32_t { kF32 = 0, kF16 = 1, kBF16 = 2 };

// How a stored code c reads back as x = a*c + b with (a, b) per group:
//   q8_0 (a, b) = (d, -128 d)   q4_0 (d, -8 d)   asymmetric integer zero (s, -s z)   KIVI min (s, m)
enum class CodeFormat : int32_t { kQ8_0 = 0, kQ4_0 = 1, kAsymIntZero = 2, kAsymMin = 3 };

}  // namespace qs::cuda
