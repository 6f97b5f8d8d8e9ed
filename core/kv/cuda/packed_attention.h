// Fused decode attention over packed KV codes (CUDA). One new query token per sequence attends to
// every stored key of one layer without a dequantized copy of the cache: codes, scales and the
// full-precision rows (recent window, sinks) are read in one pass. Plain C++ types only, so this
// header compiles without LibTorch (CI compiles the .cu with nvcc; the CUDA build links it).
//
// Storage read (the layouts of core/kv/packed_stores.h and side_store.h, per layer and side):
//   token rows   codes  uint8 [B, H, cap, width*bits/8/H], width = Hkv*hd, H = Hkv (head-major) or 1
//                       (one segment per row); code i of a segment sits at bits [i*bits, (i+1)*bits)
//                       of its little-endian bit string
//                scale, zero  f16 [B, H, cap, width/group/H]  (zero undefined for q8_0/q4_0)
//   channel chunks (KIVI keys) codes uint8 [B, n_chunks, width, chunk*bits/8], groups of `group`
//                tokens along the chunk; scale, min f16 [B, n_chunks, width, chunk/group]
//   recent       f16 [B, rcap, width]: tokens [qlen, len) in full precision
//   sinks        positions int64 [B, m] (-1 = none), values f16 [B, m, width]: full-precision
//                overrides of quantized slots
// Every code c of every format reads back as x = a*c + b with (a, b) per group:
//   q8_0 (a, b) = (d, -128 d)   q4_0 (d, -8 d)   asymmetric integer zero (s, -s z)   KIVI min (s, m)
// so a key's score is sum over groups of a * (q . c) + b * sum(q), the scale out of the inner loop.
//
// Output: split-K partials (flash-decoding), then a combine:
//   part_out  f32 [B, Hq, n_splits, hd]  (un-normalised sum of p * v over the split)
//   part_ml   f32 [B, Hq, n_splits, 2]   (running max of the scaled logits, sum of exp)
//   out       [B, Hq, hd] in the query dtype = sum_s exp(m_s - M) part_out_s / sum_s exp(m_s - M) l_s
#pragma once
#include <cstdint>

#include "core/kv/cuda/element_types.h"

namespace qs::cuda {

// One side (K or V) of one layer, as the kernel reads it.
struct PackedSide {
  int32_t bits = 16;           // 2, 4, 8 for codes; 16 = no codes (every token full precision)
  bool per_channel = false;    // KIVI keys: channel chunks instead of token rows
  CodeFormat format = CodeFormat::kAsymIntZero;
  int32_t group = 128;         // elements per metadata group (channels, or tokens for chunks)
  int64_t qlen = 0;            // tokens [0, qlen) hold codes
  const uint8_t* codes = nullptr;
  const uint16_t* scale = nullptr;  // f16 bits
  const uint16_t* zero = nullptr;   // f16 bits (zero point or min); null for q8_0 / q4_0
  int64_t cap = 0;             // token rows (or chunks) allocated per sequence
  int32_t heads = 1;           // segments per token row: Hkv (head-major) or 1
  int32_t chunk = 0;           // tokens per chunk (per_channel)
  const uint16_t* recent = nullptr;  // f16 bits [B, rcap, width]
  int64_t rcap = 0;
  const int64_t* sink_pos = nullptr;
  const uint16_t* sink_vals = nullptr;
  int32_t n_sinks = 0;
};

struct DecodeAttention {
  int32_t batch = 0, n_heads = 0, n_kv_heads = 0, head_dim = 0;
  int64_t length = 0;          // stored tokens per sequence (the new one included)
  float scale = 1.f;           // 1/sqrt(hd)
  const void* q = nullptr;     // [B, Hq, hd] contiguous, in q_dtype
  DType q_dtype = DType::kF16;
  PackedSide k, v;
  void* out = nullptr;         // [B, Hq, hd], q_dtype
  float* part_out = nullptr;   // workspace, see above; workspace_floats() floats
  int32_t n_splits = 0;        // set by plan_splits
  // Which split kernel: kAuto picks by the measured rule (decode_kernel_name), the others force one
  // where it serves the case.
  enum class Kernel : int32_t { kAuto, kTensorCores, kCudaCores } kernel = Kernel::kAuto;
};

// Why a configuration has no fused kernel (empty string: it has one).
const char* fused_decode_unsupported(const DecodeAttention& p);
// Which split kernel serves p: "tensor cores" (decode_attention_mma.h: head_dim 128, equal code
// widths) or "cuda cores" (every supported case). kAuto takes tensor cores where they measured
// faster: 4+ query heads per KV head or 64K+ tokens, and at most 32 sinks per side.
const char* decode_kernel_name(const DecodeAttention& p);
// Chooses n_splits for the device's multiprocessor count; returns the workspace size in floats.
int64_t plan_splits(DecodeAttention& p, int sm_count);
// Launches split and combine kernels on `stream` (a cudaStream_t). Returns a CUDA error string
// or nullptr.
const char* launch_decode_attention(const DecodeAttention& p, void* stream);

}  // namespace qs::cuda
