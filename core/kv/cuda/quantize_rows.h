// Quantize and pack token rows on the GPU, straight into a packed store's buffers: the same
// function as quantize_groups + pack_bits (quantizer.h, bit_pack.h) for groups along the row, one
// launch per append instead of some thirty tensor ops. Plain C++ types (no LibTorch), like
// packed_attention.h.
//
// Input  x [B, T, width] contiguous, f32 / f16 / bf16 (read as float32, as the reference does).
// Output rows [row0, row0 + T) of the head-major buffers (H segments per row, H = 1 or the KV
//        heads): codes uint8 [B, H, cap, width*bits/8/H], scale f16 [B, H, cap, width/group/H],
//        zero f16 likewise (integer zero point, or KIVI's min; none for q8_0 / q4_0).
// Every rounding follows the reference: scale rounded up to f16 and min down, so the grid covers
// the clipped range; constant groups widened to include 0; q8_0 half away from zero, q4_0 from the
// value of largest magnitude (first on ties).
#pragma once
#include <cstdint>

#include "core/kv/cuda/element_types.h"

namespace qs::cuda {

struct QuantizeRows {
  const void* x = nullptr;
  DType x_dtype = DType::kF32;
  int32_t batch = 0, tokens = 0, width = 0;
  int32_t bits = 2, group = 128;
  CodeFormat format = CodeFormat::kAsymIntZero;
  float clip = 1.f;
  uint8_t* codes = nullptr;
  uint16_t* scale = nullptr;
  uint16_t* zero = nullptr;
  int64_t cap = 0, row0 = 0;
  int32_t heads = 1;
};

// Why this configuration has no kernel ("" when it has one).
const char* quantize_rows_unsupported(const QuantizeRows& p);
// Returns a CUDA error string or nullptr.
const char* launch_quantize_rows(const QuantizeRows& p, void* stream);

}  // namespace qs::cuda
