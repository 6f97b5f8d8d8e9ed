// The KV cache's CUDA kernels seen from LibTorch tensors (kernels in core/kv/cuda/):
// - decode attention read straight from packed codes, the fused path of QuantizedCache for one
//   new token per sequence: the same function as dequantizing both stores (SideStore::read) and
//   running reference_attention, in float32 from the codes, with no dequantized copy of the cache;
// - quantize-and-pack of token rows into a PackedTokenStore's buffers (quantize_groups +
//   pack_bits in one launch);
// - the Walsh-Hadamard transform of rows (fwht's tensor-op path in one launch).
// Each says why it cannot serve a case; callers then take the tensor-op path.
#pragma once
#include <ATen/ATen.h>

#include <string>

#include "core/kv/kv_cache.h"
#include "core/kv/side_store.h"

namespace qs {

// Empty when the fused kernel serves these stores for a query [B, Hq, 1, hd]; else the reason
// (a CPU build, a tensor on the CPU, a layout or head size without a kernel).
std::string fused_decode_unsupported(const KvShape& shape, const SideStore& k, const SideStore& v, const at::Tensor& q);

// Which split kernel runs: kAuto the faster one for the case by the measured rule
// (core/kv/cuda/packed_attention.h), or one forced where it serves the case (comparisons, tests).
enum class DecodeKernel { kAuto, kTensorCores, kCudaCores };

// out [B, Hq, 1, hd] in q's dtype (written whole; callers may poison it first). Both stores hold
// the same tokens; keys are in the basis the query is given in. Throws where unsupported.
void fused_decode_attention(const KvShape& shape, const SideStore& k, const SideStore& v, const at::Tensor& q, at::Tensor& out,
                            DecodeKernel kernel = DecodeKernel::kAuto);
// "tensor cores" or "cuda cores": the split kernel fused_decode_attention would run ("none: why"
// where no fused kernel serves the case).
std::string fused_decode_kernel_name(const KvShape& shape, const SideStore& k, const SideStore& v, const at::Tensor& q, DecodeKernel kernel = DecodeKernel::kAuto);

// Empty when the GPU kernel quantizes rows of x [B, T, width] under spec; else the reason.
std::string fused_quantize_unsupported(const QuantSpec& spec, const at::Tensor& x);
// Writes rows [row0, row0 + T) of codes / scale / zero (a PackedTokenStore's buffers) from x and
// returns "", or returns why the kernel cannot and writes nothing.
std::string try_fused_quantize_rows(const QuantSpec& spec, const at::Tensor& x, at::Tensor& codes, at::Tensor& scale, at::Tensor& zero, int64_t row0);

// Writes y = fwht_tensor_ops(x) (hadamard.h) with the GPU kernel and returns "", or returns why the
// kernel cannot (a CPU tensor, a length or dtype without a kernel) and writes nothing. x and y are
// contiguous tensors of the same shape and dtype; y may be x.
std::string try_fused_fwht(const at::Tensor& x, at::Tensor& y);

}  // namespace qs
