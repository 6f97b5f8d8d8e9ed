// Packed storage of quantized KV vectors. Tokens are vectors of `width` channels (all KV heads
// of a layer, [B, T, width]); codes are bit-packed, scales/zeros kept as the quantizer stores
// them. Buffers grow by doubling; memory is reported for the tokens held.
#pragma once
#include <ATen/ATen.h>

#include "core/kv/quantizer.h"

namespace qs {

// One token at a time (groups along channels): q8_0/q4_0, RotateKV, AKVQ, KIVI's values.
// Buffers are head-major, [B, H, capacity, bytes per head] (H = the KV heads when each head holds
// whole groups and whole bytes, else 1: one segment per row), so a head's tokens are contiguous
// for the fused decode kernel; read() gives rows [B, T, width] whatever H is.
class PackedTokenStore {
 public:
  // max_tokens caps the capacity (buffers double up to it, no further); heads: KV heads per row.
  PackedTokenStore(const QuantSpec& spec, int64_t width, int64_t max_tokens = INT64_MAX, int64_t heads = 1);
  void append(const at::Tensor& x);  // [B, T, width]
  at::Tensor read() const;           // [B, length, width] float32 (undefined when empty)
  // Dequantized rows [from, to) (float32 [B, to - from, width]).
  at::Tensor read_range(int64_t from, int64_t to) const;
  void truncate(int64_t n);
  int64_t length() const { return n_; }
  int64_t code_bytes() const;
  int64_t meta_bytes() const;
  const QuantSpec& spec() const { return spec_; }
  // The buffers as allocated (capacity along dim 2; tokens [0, length()) are valid), for fused
  // kernels: codes [B, H, cap, width*bits/8/H], scale and zero [B, H, cap, width/group/H].
  int64_t heads() const { return heads_; }
  const at::Tensor& codes() const { return codes_; }
  const at::Tensor& scale() const { return scale_; }
  const at::Tensor& zero() const { return zero_; }

 private:
  void reserve(const at::Tensor& like, int64_t needed);
  at::Tensor to_segments(const at::Tensor& rows) const;  // [B, T, n] -> [B, H, T, n/H]
  at::Tensor to_rows(const at::Tensor& segments) const;  // the inverse
  QuantSpec spec_;
  int64_t width_, max_rows_, heads_ = 1, n_ = 0;
  at::Tensor codes_, scale_, zero_;  // [B, H, capacity, bytes / H], [B, H, capacity, groups / H] x2
};

// Chunks of `chunk` tokens quantized per channel with groups along tokens: KIVI's keys.
class ChannelChunkStore {
 public:
  ChannelChunkStore(const QuantSpec& spec, int64_t width, int64_t chunk, int64_t max_tokens = INT64_MAX);
  void append_chunk(const at::Tensor& x);  // [B, chunk, width]
  at::Tensor read() const;                 // [B, chunks*chunk, width] float32 (undefined when empty)
  void truncate_chunks(int64_t n_chunks);
  int64_t length() const { return n_ * chunk_; }
  int64_t chunk() const { return chunk_; }
  int64_t code_bytes() const;
  int64_t meta_bytes() const;

 private:
  QuantSpec spec_;
  int64_t width_, chunk_, max_rows_, n_ = 0;
  at::Tensor codes_, scale_, zero_;  // [B, capacity, width, bytes], [B, capacity, width, groups] x2
};

}  // namespace qs
