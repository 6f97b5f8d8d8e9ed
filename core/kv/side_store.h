// The storage of one side (K or V) of one layer under a TokenPolicy: a packed quantized prefix,
// the most recent tokens in full precision, and full-precision sink tokens that override their
// quantized slot (fixed stride: a sink's codes stay in the packed store and are counted).
#pragma once
#include <ATen/ATen.h>

#include <memory>

#include "core/kv/kv_cache.h"
#include "core/kv/kv_side.h"
#include "core/kv/packed_stores.h"

namespace qs {

// What a fused kernel reads of a side (tensors as held; undefined where absent).
struct SideTensors {
  const TokenPolicy* policy = nullptr;
  const PackedTokenStore* tokens = nullptr;  // token rows, or null
  bool has_chunks = false;                   // KIVI channel chunks (no fused kernel yet)
  int64_t quantized_length = 0;
  at::Tensor recent;                         // [B, length - quantized_length, width] fp_dtype
  at::Tensor sink_pos, sink_vals;            // [B, m] int64, [B, m, width]
};

class SideStore {
 public:
  // max_tokens: the context limit, which caps the packed buffers' capacity; heads: KV heads per
  // row (token rows are stored head-major where the groups allow).
  SideStore(const TokenPolicy& policy, int64_t width, at::ScalarType fp_dtype, int64_t max_tokens = INT64_MAX, int64_t heads = 1);
  // x: [B, T, width] for positions [length(), length()+T). hidden [B, T, dim] finds sinks when
  // detect_sinks (the prompt, or any multi-token call).
  void append(const at::Tensor& x, const at::Tensor& hidden, bool detect_sinks);
  at::Tensor read(at::ScalarType dtype) const;  // [B, length, width]
  void truncate(int64_t n);
  void clear();
  KvMemory memory() const;
  int64_t length() const { return len_; }
  int64_t quantized_length() const;  // tokens [0, quantized_length()) hold codes
  // bool [B, length]: tokens that read back exactly as stored in full precision (window and sinks).
  at::Tensor full_precision_mask(int64_t batch, const at::TensorOptions& options) const;
  SideTensors tensors() const;
  at::ScalarType fp_dtype() const { return fp_dtype_; }

 private:
  void flush();
  // Flat indices b*length + position of the sinks still held (undefined when there are none).
  at::Tensor sink_rows(at::Tensor* valid = nullptr) const;
  TokenPolicy policy_;
  int64_t width_;
  at::ScalarType fp_dtype_;
  int64_t len_ = 0;
  std::unique_ptr<PackedTokenStore> tokens_;
  std::unique_ptr<ChannelChunkStore> chunks_;
  at::Tensor recent_;     // [B, len - quantized_length, width] in fp_dtype
  at::Tensor sink_pos_;   // int64 [B, m], -1 = none
  at::Tensor sink_vals_;  // [B, m, width] in fp_dtype
};

}  // namespace qs
