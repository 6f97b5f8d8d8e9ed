// Decode attention read straight from packed codes on CUDA: the fused path of QuantizedCache for
// one new token per sequence (kernels in core/kv/cuda/packed_attention.cu). It computes the same
// function as dequantizing both stores (SideStore::read) and running reference_attention, in
// float32 from the codes, with no dequantized copy of the cache.
#pragma once
#include <ATen/ATen.h>

#include <string>

#include "core/kv/kv_cache.h"
#include "core/kv/side_store.h"

namespace qs {

// Empty when the fused kernel serves these stores for a query [B, Hq, 1, hd]; else the reason
// (a CPU build, a tensor on the CPU, a layout or head size without a kernel).
std::string fused_decode_unsupported(const KvShape& shape, const SideStore& k, const SideStore& v, const at::Tensor& q);

// out [B, Hq, 1, hd] in q's dtype (written whole; callers may poison it first). Both stores hold
// the same tokens; keys are in the basis the query is given in. Throws where unsupported.
void fused_decode_attention(const KvShape& shape, const SideStore& k, const SideStore& v, const at::Tensor& q, at::Tensor& out);

}  // namespace qs
