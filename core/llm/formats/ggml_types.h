// ggml tensor types known to GGUF files, their block geometry, and CPU dequantization of the
// types we load (F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K). Any other type gets a clear error.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace qs::ggml {

enum class Type : uint32_t {
  kF32 = 0, kF16 = 1, kQ4_0 = 2, kQ4_1 = 3, kQ5_0 = 6, kQ5_1 = 7, kQ8_0 = 8, kQ8_1 = 9,
  kQ2_K = 10, kQ3_K = 11, kQ4_K = 12, kQ5_K = 13, kQ6_K = 14, kQ8_K = 15,
  kIQ2_XXS = 16, kIQ2_XS = 17, kIQ3_XXS = 18, kIQ1_S = 19, kIQ4_NL = 20, kIQ3_S = 21, kIQ2_S = 22,
  kIQ4_XS = 23, kI8 = 24, kI16 = 25, kI32 = 26, kI64 = 27, kF64 = 28, kIQ1_M = 29, kBF16 = 30,
  kTQ1_0 = 34, kTQ2_0 = 35,
};

struct TypeTraits {
  const char* name = "unknown";
  uint32_t block_elements = 0;  // 0 means the id is not a known type
  uint32_t block_bytes = 0;
  bool dequantizable = false;   // we can turn it into float
};

TypeTraits traits(uint32_t raw_type);
std::string type_name(uint32_t raw_type);

// Writes n floats decoded from src (which must hold n / block_elements blocks; n must be a
// multiple of block_elements). Throws Error(kUnsupported) for types we cannot decode.
void dequantize(Type type, const uint8_t* src, size_t n, float* dst);

// IEEE half and bfloat16 bit patterns to float (no torch needed here).
float half_to_float(uint16_t h);
float bf16_to_float(uint16_t b);
uint16_t float_to_half(float f);

}  // namespace qs::ggml
