// Packed storage of quantized KV vectors. Tokens are vectors of `width` channels (all KV heads
// of a layer, [B, T, width]); codes are bit-packed, scales/zeros kept as the quantizer stores
// them. Buffers grow by doubling; memory is reported for the tokens held.
#pragma once
#include <ATen/ATen.h>

#include "core/kv/quantizer.h"

namespace qs {

// One token at a time (groups along channels): q8_0/q4_0, RotateKV, AKVQ, KIVI's values.
class PackedTokenStore {
 public:
  // max_tokens caps the capacity (buffers double up to it, no further).
  PackedTokenStore(const QuantSpec& spec, int64_t width, int64_t max_tokens = INT64_MAX);
  void append(const at::Tensor& x);  // [B, T, width]
  at::Tensor read() const;           // [B, length, width] float32 (undefined when empty)
  // Dequantized rows [from, to) (float32 [B, to - from, width]).
  at::Tensor read_range(int64_t from, int64_t to) const;
  void truncate(int64_t n);
  int64_t length() const { return n_; }
  int64_t code_bytes() const;
  int64_t meta_bytes() const;
  const QuantSpec& spec() const { return spec_; }
  // The buffers as allocated (capacity rows; rows [0, length()) are valid), for fused kernels.
  const at::Tensor& codes() const { return codes_; }
  const at::Tensor& scale() const { return scale_; }
  const at::Tensor& zero() const { return zero_; }

 private:
  void reserve(const at::Tensor& like, int64_t needed);
  QuantSpec spec_;
  int64_t width_, max_rows_, n_ = 0;
  at::Tensor codes_, scale_, zero_;  // [B, capacity, bytes], [B, capacity, groups] x2
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
