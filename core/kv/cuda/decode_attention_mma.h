// The tensor-core split kernel of fused decode attention (internal to packed_attention.cu): the
// same function and the same split-K partials as the CUDA-core kernel (packed_attention.h), for
// head_dim 128 with both sides in token rows of equal width (2/4/8-bit codes of any format, or
// f16 rows), groups a multiple of 16 channels, up to 8 query heads per KV head in one pass.
//
// Per warp (one split of 16-token tiles), with lane = 4 g + t:
//   keys    S^T[16 tok, 8 q heads] = K[16 tok, 128] . Q^T  (mma m16n8k16, f16 in, f32 accumulate)
//           thread t dequantizes chunks 2t and 2t+1 (16 channels each) of tokens g and g+8;
//   values  O^T[128 ch, 8 q heads] += V^T[128 ch, 16 tok] . P^T
//           thread g dequantizes chunk g of tokens 2t, 2t+1, 2t+8, 2t+9.
// Codes become f16 through the exponent trick: (w & mask) | 0x6400 reads 1024 + 2^o c for a code
// at bit offset o of a half, one fma takes it to (c - z) exactly, one multiply by the scale rounds
// once: x = s (c - z) (c s + min for KIVI's min) rounded once to f16. f16 queries enter as they are;
// f32 queries as f16 plus their f16 residue (two mmas); probabilities p = exp(s - m) in (0, 1] are
// f16; every sum is f32.
#pragma once

#include "core/kv/cuda/packed_attention.h"

namespace qs::cuda {

// Why the tensor-core kernel cannot serve p ("" when it can).
const char* mma_decode_unsupported(const DecodeAttention& p);
// Query heads one warp serves together (a divisor of Hq / Hkv, at most 8).
int mma_heads_per_warp(const DecodeAttention& p);
// Tokens per tile of the tensor-core kernel.
constexpr int kMmaTile = 16;
// Warps per block, and blocks a multiprocessor holds at once (the kernel's register bound).
constexpr int kMmaWarps = 4;
constexpr int kMmaBlocksPerSm = 3;
// Launches the split kernel (one split per warp, p.n_splits a multiple of kMmaWarps).
const char* launch_mma_decode_split(const DecodeAttention& p, void* stream);

}  // namespace qs::cuda
