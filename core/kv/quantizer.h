// Uniform quantizers for KV vectors, and how their scale/zero metadata is stored.
//
// Asymmetric (RotateKV, AKVQ, KIVI): per group [a, c] = clip * [min, max], s = (c - a)/(2^b - 1).
//   kIntegerZero: z = round(-a/s), q = clamp(round(x/s) + z, 0, 2^b - 1), x^ = s (q - z)
//   kMin (KIVI):  q = clamp(round((x - a)/s), 0, 2^b - 1),                x^ = q s + a
// Symmetric llama.cpp blocks: q8_0 (d = amax/127, q = round(x/d)) and q4_0 (d = -m/8 where m is the
// value of largest magnitude, q = min(15, floor(x/d + 8.5))), d stored as f16.
//
// A group whose range is zero is widened to include 0 so s > 0 (no NaN; constants are exact).
#pragma once
#include <ATen/ATen.h>

#include <string>

namespace qs {

enum class QuantScheme { kAsymmetric, kLlamaQ8_0, kLlamaQ4_0 };
enum class ZeroKind { kIntegerZero, kMin };
enum class MetaFormat {
  kF16,                // scale and zero (or min) as IEEE half: 32 bits per group
  kFp8ScaleInt8Zero,   // scale as fp8 e4m3, integer zero as int8: 16 bits per group (kIntegerZero only)
};

struct QuantSpec {
  QuantScheme scheme = QuantScheme::kAsymmetric;
  int bits = 2;
  int64_t group = 128;   // elements per group along the grouped axis
  double clip = 1.0;     // asymmetric only
  ZeroKind zero = ZeroKind::kIntegerZero;
  MetaFormat meta = MetaFormat::kF16;

  int levels() const { return (1 << bits) - 1; }
  int64_t meta_bits_per_group() const;  // storage of scale (+ zero) per group
  double bits_per_element() const { return bits + double(meta_bits_per_group()) / double(group); }
  void validate() const;  // throws for bits outside 2..8 (llama: fixed 8/4), group < 1, clip outside (0, 1]
  std::string describe() const;
};

// Groups lie along the last dimension, whose size must be a multiple of spec.group.
struct QuantizedGroups {
  at::Tensor codes;  // uint8, x's shape, values in [0, 2^bits - 1]
  at::Tensor scale;  // [..., n/group]: f16, or uint8 fp8-e4m3 codes
  at::Tensor zero;   // [..., n/group]: f16 (zero or min), int8, or undefined for llama blocks
};

QuantizedGroups quantize_groups(const at::Tensor& x, const QuantSpec& spec);
// Back to float32 values of the codes' shape.
at::Tensor dequantize_groups(const QuantizedGroups& q, const QuantSpec& spec);

// fp8 e4m3 (finite, no NaN code used): round-to-nearest-even codes and their values.
at::Tensor fp8_e4m3_encode(const at::Tensor& x);  // float -> uint8
at::Tensor fp8_e4m3_decode(const at::Tensor& codes);  // uint8 -> float32

}  // namespace qs
