// Split-K decode attention over packed KV codes; see packed_attention.h for the layouts.
//
// One block of 128 threads takes one sequence b, one KV head, GB <= 4 of the query heads that
// share it (GQA: the KV tile is read once for all of them) and one split of the tokens. A thread
// owns 16 consecutive channels of the head (CG = hd/16 threads per token) and TL = 128/CG token
// lanes walk a tile of 64 tokens: each thread loads its channels' codes of one token in one
// 4/8/16-byte load, folds the group's (a, b) out of the 16-channel dot product, and the CG lanes
// of a token finish the score with shuffles. Online softmax per tile, then the V pass reads the
// same way and accumulates p*a*c and p*b in registers. The combine kernel merges the splits.
#include <cuda_fp16.h>
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>

#include "core/kv/cuda/decode_attention_mma.h"
#include "core/kv/cuda/device_dtype.cuh"
#include "core/kv/cuda/packed_attention.h"

namespace qs::cuda {
namespace {

constexpr int kThreads = 128;
constexpr int kChannels = 16;  // per thread


__device__ __forceinline__ float code_to_float(uint32_t c) { return __uint_as_float(0x4B000000u | c) - 8388608.f; }

__device__ __forceinline__ float2 half2_bits_to_float2(uint32_t w) {
  __half2 h = *reinterpret_cast<__half2*>(&w);
  return __half22float2(h);
}

__device__ __forceinline__ float half_bits_to_float(uint16_t h) { return __half2float(__ushort_as_half(h)); }

// The 16 codes of one thread's channels as words (bits/2 words of 32 bits).
template <int BITS>
struct CodeWords {
  static constexpr int kWords = kChannels * BITS / 32;
  uint32_t w[kWords];
  __device__ __forceinline__ void load(const uint8_t* p) {
    if constexpr (kWords == 1) {
      w[0] = __ldg(reinterpret_cast<const uint32_t*>(p));
    } else if constexpr (kWords == 2) {
      uint2 v = __ldg(reinterpret_cast<const uint2*>(p));
      w[0] = v.x, w[1] = v.y;
    } else {
      uint4 v = __ldg(reinterpret_cast<const uint4*>(p));
      w[0] = v.x, w[1] = v.y, w[2] = v.z, w[3] = v.w;
    }
  }
  __device__ __forceinline__ float code(int j) const {
    constexpr uint32_t mask = (1u << BITS) - 1u;
    return code_to_float((w[(j * BITS) / 32] >> ((j * BITS) % 32)) & mask);
  }
};

// 16 full-precision channels (f16) as floats.
__device__ __forceinline__ void load_fp_row(const uint16_t* p, float (&v)[kChannels]) {
  const uint4* p4 = reinterpret_cast<const uint4*>(p);
  uint4 a = __ldg(p4), b = __ldg(p4 + 1);
  uint32_t w[8] = {a.x, a.y, a.z, a.w, b.x, b.y, b.z, b.w};
#pragma unroll
  for (int i = 0; i < 8; ++i) {
    float2 f = half2_bits_to_float2(w[i]);
    v[2 * i] = f.x, v[2 * i + 1] = f.y;
  }
}

// Where token t of sequence b reads from when it is held in full precision (recent window or a
// sink), else null: then it reads codes.
__device__ __forceinline__ const uint16_t* fp_row(const PackedSide& s, int b, int64_t t, int slot, int width, int ch) {
  if (t >= s.qlen) return s.recent + (int64_t(b) * s.rcap + (t - s.qlen)) * width + ch;
  if (slot >= 0) return s.sink_vals + (int64_t(b) * s.n_sinks + slot) * width + ch;
  return nullptr;
}

// Marks the tile's tokens [t0, t0 + tile) that are sinks of side s (slot index, else -1).
__device__ __forceinline__ void mark_sinks(const PackedSide& s, int b, int64_t t0, int tile, int* slot) {
  for (int i = threadIdx.x; i < tile; i += kThreads) slot[i] = -1;
  __syncthreads();
  for (int i = threadIdx.x; i < s.n_sinks; i += kThreads) {
    const int64_t pos = s.sink_pos[int64_t(b) * s.n_sinks + i];
    if (pos >= t0 && pos < t0 + tile && pos < s.qlen) slot[pos - t0] = i;
  }
}

// Tokens per tile: enough per thread that each tile's loads overlap (fewer query heads per block
// leave registers for more tokens), and at least one per token lane.
__host__ __device__ constexpr int tile_for(int hd, int gb) {
  return kThreads / (hd / kChannels) > 256 / gb ? kThreads / (hd / kChannels) : 256 / gb;
}

// Tokens whose loads one thread issues together: about 32 bytes of codes per side.
__host__ __device__ constexpr int load_batch(int bits, int per) { return 32 / (2 * bits) < per ? 32 / (2 * bits) : per; }

// One side's view of a token for this thread: its 16 channels as codes with (a, b), or null codes
// when the token is read in full precision (recent window, sink) or lies past the split.
template <int BITS>
struct TokenLoad {
  CodeWords<BITS> cw;
  uint16_t scale, zero;
};

// Where one thread's 16 channels of token 0 sit in a side's head-major buffers, and the stride
// from one token to the next.
struct SegmentAddress {
  int64_t code_base, code_stride, meta_base, meta_stride;
  __device__ SegmentAddress(const PackedSide& s, int bits, int b, int kvh, int hd, int width, int ch) {
    const int seg = s.heads == 1 ? 0 : kvh, seg_width = width / s.heads, in_seg = s.heads == 1 ? ch : ch - kvh * hd;
    const int64_t first = (int64_t(b) * s.heads + seg) * s.cap;
    code_stride = int64_t(seg_width) * bits / 8;
    code_base = first * code_stride + int64_t(in_seg) * bits / 8;
    meta_stride = seg_width / s.group;
    meta_base = first * meta_stride + in_seg / s.group;
  }
};

template <int BITS>
__device__ __forceinline__ void load_token(const PackedSide& s, const SegmentAddress& at, int64_t t, TokenLoad<BITS>& l) {
  l.cw.load(s.codes + at.code_base + t * at.code_stride);
  const int64_t gi = at.meta_base + t * at.meta_stride;
  l.scale = __ldg(s.scale + gi);
  l.zero = s.zero ? __ldg(s.zero + gi) : uint16_t(0);
}

__device__ __forceinline__ void affine(const PackedSide& s, uint16_t scale, uint16_t zero, float& a, float& b) {
  a = half_bits_to_float(scale);
  switch (s.format) {
    case CodeFormat::kQ8_0: b = -128.f * a; break;
    case CodeFormat::kQ4_0: b = -8.f * a; break;
    case CodeFormat::kAsymIntZero: b = -a * half_bits_to_float(zero); break;
    case CodeFormat::kAsymMin: b = half_bits_to_float(zero); break;
  }
}

template <int HD, int KBITS, int VBITS, int GB>
__global__ void __launch_bounds__(kThreads, GB == 1 ? 4 : 2) decode_split_kernel(const DecodeAttention p) {
  constexpr int CG = HD / kChannels;   // threads per token
  constexpr int TL = kThreads / CG;    // token lanes
  constexpr int TILE = tile_for(HD, GB);
  constexpr int PER = TILE / TL;       // tokens per thread per tile
  constexpr int KB = KBITS == 16 ? PER : load_batch(KBITS, PER), VB = VBITS == 16 ? PER : load_batch(VBITS, PER);
  static_assert(PER % KB == 0 && PER % VB == 0 && TILE % 32 == 0, "tile shape");
  __shared__ float probs[GB][TILE];
  __shared__ int k_slot[TILE], v_slot[TILE];
  __shared__ float m_s[GB], l_s[GB], alpha_s[GB];
  __shared__ float red[TL][GB][HD + 1];

  const int tid = threadIdx.x, cg = tid % CG, tl = tid / CG;
  const int G = p.n_heads / p.n_kv_heads, head_blocks = G / GB;
  const int kvh = blockIdx.y / head_blocks, hq0 = kvh * G + (blockIdx.y % head_blocks) * GB;
  const int b = blockIdx.z, split = blockIdx.x;
  const int width = p.n_kv_heads * HD, ch = kvh * HD + cg * kChannels;
  const int64_t S = p.length;
  const int64_t tiles = (S + TILE - 1) / TILE, tiles_per = (tiles + p.n_splits - 1) / p.n_splits;
  const int64_t s_begin = int64_t(split) * tiles_per * TILE, s_end = min(S, s_begin + tiles_per * TILE);
  const SegmentAddress k_at(p.k, KBITS, b, kvh, HD, width, ch), v_at(p.v, VBITS, b, kvh, HD, width, ch);

  float qr[GB][kChannels], qsum[GB];
#pragma unroll
  for (int g = 0; g < GB; ++g) {
    qsum[g] = 0.f;
#pragma unroll
    for (int j = 0; j < kChannels; ++j) {
      qr[g][j] = load_as_float(p.q, p.q_dtype, (int64_t(b) * p.n_heads + hq0 + g) * HD + cg * kChannels + j);
      qsum[g] += qr[g][j];
    }
  }
  float acc[GB][kChannels], accb[GB];
#pragma unroll
  for (int g = 0; g < GB; ++g) {
    accb[g] = 0.f;
#pragma unroll
    for (int j = 0; j < kChannels; ++j) acc[g][j] = 0.f;
  }
  if (tid < GB) m_s[tid] = -INFINITY, l_s[tid] = 0.f;

  for (int64_t t0 = s_begin; t0 < s_end; t0 += TILE) {
    mark_sinks(p.k, b, t0, TILE, k_slot);
    mark_sinks(p.v, b, t0, TILE, v_slot);
    __syncthreads();
    // K pass, KB tokens' loads in flight at a time (batches not unrolled: one batch's registers).
#pragma unroll 1
    for (int i0 = 0; i0 < PER; i0 += KB) {
      TokenLoad<KBITS == 16 ? 8 : KBITS> kl[KB];
      bool packed[KB];
#pragma unroll
      for (int u = 0; u < KB; ++u) {
        const int tloc = tl + (i0 + u) * TL;
        const int64_t t = t0 + tloc;
        packed[u] = KBITS != 16 && t < s_end && t < p.k.qlen && k_slot[tloc] < 0;
        if constexpr (KBITS != 16)
          if (packed[u]) load_token<KBITS>(p.k, k_at, t, kl[u]);
      }
#pragma unroll
      for (int u = 0; u < KB; ++u) {
        const int tloc = tl + (i0 + u) * TL;
        const int64_t t = t0 + tloc;
        float part[GB];
#pragma unroll
        for (int g = 0; g < GB; ++g) part[g] = 0.f;
        if constexpr (KBITS != 16) {
          if (packed[u]) {
            float a, bb;
            affine(p.k, kl[u].scale, kl[u].zero, a, bb);
#pragma unroll
            for (int g = 0; g < GB; ++g) {
              float dot = 0.f;
#pragma unroll
              for (int j = 0; j < kChannels; ++j) dot += qr[g][j] * kl[u].cw.code(j);
              part[g] = a * dot + bb * qsum[g];
            }
          }
        }
        if (!packed[u] && t < s_end) {
          float v[kChannels];
          load_fp_row(fp_row(p.k, b, t, k_slot[tloc], width, ch), v);
#pragma unroll
          for (int g = 0; g < GB; ++g)
#pragma unroll
            for (int j = 0; j < kChannels; ++j) part[g] += qr[g][j] * v[j];
        }
#pragma unroll
        for (int off = CG / 2; off > 0; off /= 2)
#pragma unroll
          for (int g = 0; g < GB; ++g) part[g] += __shfl_xor_sync(0xffffffffu, part[g], off);
        if (cg == 0)
#pragma unroll
          for (int g = 0; g < GB; ++g) probs[g][tloc] = t < s_end ? part[g] * p.scale : -INFINITY;
      }
    }
    __syncthreads();
    // Online softmax: warp g updates head g's running max and sum.
    const int warp = tid / 32, lane = tid % 32;
    if (warp < GB) {
      constexpr int E = TILE / 32;  // entries per lane
      const int g = warp;
      float sc[E], mx = -INFINITY;
#pragma unroll
      for (int e = 0; e < E; ++e) sc[e] = probs[g][lane + 32 * e], mx = fmaxf(mx, sc[e]);
      for (int off = 16; off > 0; off /= 2) mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, off));
      const float m_old = m_s[g], m_new = fmaxf(m_old, mx);
      __syncwarp();  // every lane has read m_s[g] before lane 0 writes it
      float sum = 0.f;
#pragma unroll
      for (int e = 0; e < E; ++e) {
        const float pe = sc[e] == -INFINITY ? 0.f : __expf(sc[e] - m_new);
        probs[g][lane + 32 * e] = pe, sum += pe;
      }
      for (int off = 16; off > 0; off /= 2) sum += __shfl_xor_sync(0xffffffffu, sum, off);
      if (lane == 0) {
        const float alpha = m_old == -INFINITY ? 0.f : __expf(m_old - m_new);
        l_s[g] = l_s[g] * alpha + sum, m_s[g] = m_new, alpha_s[g] = alpha;
      }
    }
    __syncthreads();
    // V pass.
#pragma unroll
    for (int g = 0; g < GB; ++g) {
      const float al = alpha_s[g];
      accb[g] *= al;
#pragma unroll
      for (int j = 0; j < kChannels; ++j) acc[g][j] *= al;
    }
#pragma unroll 1
    for (int i0 = 0; i0 < PER; i0 += VB) {
      TokenLoad<VBITS == 16 ? 8 : VBITS> vl[VB];
      bool packed[VB];
#pragma unroll
      for (int u = 0; u < VB; ++u) {
        const int tloc = tl + (i0 + u) * TL;
        const int64_t t = t0 + tloc;
        packed[u] = VBITS != 16 && t < s_end && t < p.v.qlen && v_slot[tloc] < 0;
        if constexpr (VBITS != 16)
          if (packed[u]) load_token<VBITS>(p.v, v_at, t, vl[u]);
      }
#pragma unroll
      for (int u = 0; u < VB; ++u) {
        const int tloc = tl + (i0 + u) * TL;
        const int64_t t = t0 + tloc;
        if (t >= s_end) continue;
        float pr[GB];
#pragma unroll
        for (int g = 0; g < GB; ++g) pr[g] = probs[g][tloc];
        if constexpr (VBITS != 16) {
          if (packed[u]) {
            float a, bb;
            affine(p.v, vl[u].scale, vl[u].zero, a, bb);
#pragma unroll
            for (int g = 0; g < GB; ++g) {
              const float w = pr[g] * a;
              accb[g] += pr[g] * bb;
#pragma unroll
              for (int j = 0; j < kChannels; ++j) acc[g][j] += w * vl[u].cw.code(j);
            }
            continue;
          }
        }
        float v[kChannels];
        load_fp_row(fp_row(p.v, b, t, v_slot[tloc], width, ch), v);
#pragma unroll
        for (int g = 0; g < GB; ++g)
#pragma unroll
          for (int j = 0; j < kChannels; ++j) acc[g][j] += pr[g] * v[j];
      }
    }
    __syncthreads();
  }
  // Merge the token lanes and write this split's partial result.
#pragma unroll
  for (int g = 0; g < GB; ++g)
#pragma unroll
    for (int j = 0; j < kChannels; ++j) red[tl][g][cg * kChannels + j] = acc[g][j] + accb[g];
  __syncthreads();
  for (int e = tid; e < GB * HD; e += kThreads) {
    const int g = e / HD, c = e % HD;
    float s = 0.f;
#pragma unroll 4
    for (int l = 0; l < TL; ++l) s += red[l][g][c];
    const int64_t base = (int64_t(b) * p.n_heads + hq0 + g) * p.n_splits + split;
    p.part_out[base * HD + c] = s;
    if (c == 0) {
      float* ml = p.part_out + int64_t(p.batch) * p.n_heads * p.n_splits * HD + base * 2;
      ml[0] = m_s[g], ml[1] = l_s[g];
    }
  }
}

__global__ void combine_kernel(const DecodeAttention p) {
  const int bh = blockIdx.x, c = threadIdx.x, HD = p.head_dim;
  const float* ml = p.part_out + int64_t(p.batch) * p.n_heads * p.n_splits * HD + int64_t(bh) * p.n_splits * 2;
  float M = -INFINITY;
  for (int s = 0; s < p.n_splits; ++s) M = fmaxf(M, ml[2 * s]);
  float num = 0.f, den = 0.f;
  for (int s = 0; s < p.n_splits; ++s) {
    const float m = ml[2 * s];
    if (m == -INFINITY) continue;
    const float w = __expf(m - M);
    num += w * p.part_out[(int64_t(bh) * p.n_splits + s) * HD + c];
    den += w * ml[2 * s + 1];
  }
  const float o = num / den;
  const int64_t i = int64_t(bh) * HD + c;
  switch (p.q_dtype) {
    case DType::kF32: static_cast<float*>(p.out)[i] = o; break;
    case DType::kF16: static_cast<__half*>(p.out)[i] = __float2half(o); break;
    case DType::kBF16: static_cast<__nv_bfloat16*>(p.out)[i] = __float2bfloat16(o); break;
  }
}

int heads_per_block(const DecodeAttention& p) {
  const int G = p.n_heads / p.n_kv_heads;
  return G % 4 == 0 ? 4 : G % 2 == 0 ? 2 : 1;
}

using Kernel = void (*)(const DecodeAttention);

template <int HD, int KB, int VB>
Kernel pick_gb(int gb) {
  switch (gb) {
    case 4: return decode_split_kernel<HD, KB, VB, 4>;
    case 2: return decode_split_kernel<HD, KB, VB, 2>;
    default: return decode_split_kernel<HD, KB, VB, 1>;
  }
}

template <int HD>
Kernel pick_bits(int kb, int vb, int gb) {
  static_assert(HD % kChannels == 0);
  if (kb == 2 && vb == 2) return pick_gb<HD, 2, 2>(gb);
  if (kb == 4 && vb == 4) return pick_gb<HD, 4, 4>(gb);
  if (kb == 8 && vb == 8) return pick_gb<HD, 8, 8>(gb);
  if (kb == 16 && vb == 16) return pick_gb<HD, 16, 16>(gb);
  return nullptr;
}

Kernel pick(const DecodeAttention& p) {
  const int gb = heads_per_block(p);
  switch (p.head_dim) {
    case 128: return pick_bits<128>(p.k.bits, p.v.bits, gb);
    case 64: return pick_bits<64>(p.k.bits, p.v.bits, gb);
    case 32: return pick_bits<32>(p.k.bits, p.v.bits, gb);
    case 16: return pick_bits<16>(p.k.bits, p.v.bits, gb);
    default: return nullptr;
  }
}

}  // namespace

const char* fused_decode_unsupported(const DecodeAttention& p) {
  if (p.head_dim != 16 && p.head_dim != 32 && p.head_dim != 64 && p.head_dim != 128) return "head_dim is not 16, 32, 64 or 128";
  if (p.n_kv_heads <= 0 || p.n_heads % p.n_kv_heads != 0) return "query heads are not a multiple of KV heads";
  if (p.k.per_channel || p.v.per_channel) return "per-channel key chunks (KIVI keys) have no fused kernel yet";
  if (!pick(p)) return "this pair of code widths (K, V) has no fused kernel";
  for (const PackedSide* s : {&p.k, &p.v}) {
    if (s->bits == 16) continue;
    if (s->group % kChannels != 0) return "groups are not a multiple of 16 channels";
    if (s->qlen > 0 && (!s->scale || ((s->format == CodeFormat::kAsymIntZero || s->format == CodeFormat::kAsymMin) && !s->zero))) return "metadata is not f16";
  }
  return "";
}

namespace {
bool use_tensor_cores(const DecodeAttention& p) {
  if (p.kernel == DecodeAttention::Kernel::kCudaCores || *mma_decode_unsupported(p) != '\0') return false;
  if (p.kernel == DecodeAttention::Kernel::kTensorCores) return true;
  // kAuto, by the side-by-side runs on the H200 (docs/results/gpu-decode.md): tensor cores gained
  // with 4+ query heads per KV head and at 128K context, and lost or tied on MHA at <= 32K; with
  // more than 32 sinks on a side (chunked fills gather sinks per chunk: 160 at 32K) the tensor-core
  // kernel's per-token sink lookups made decode 2.5-8x slower, the CUDA-core kernel stages them.
  if (p.k.n_sinks > 32 || p.v.n_sinks > 32) return false;
  return mma_heads_per_warp(p) >= 4 || p.length >= 65536;
}
}  // namespace

const char* decode_kernel_name(const DecodeAttention& p) { return use_tensor_cores(p) ? "tensor cores" : "cuda cores"; }

int64_t plan_splits(DecodeAttention& p, int sm_count) {
  if (use_tensor_cores(p)) {
    // One split per warp, a whole number of blocks per (sequence, head block), at least 4 tiles per
    // split; among those, the count whose blocks fill the resident waves best (a last, partly
    // filled wave costs as much as a full one), the fewest splits on ties.
    const int64_t tiles = (p.length + kMmaTile - 1) / kMmaTile;
    const int64_t units = int64_t(p.batch) * p.n_kv_heads * (p.n_heads / p.n_kv_heads / mma_heads_per_warp(p));
    const int64_t resident = int64_t(sm_count) * kMmaBlocksPerSm;
    const int64_t most = std::max<int64_t>(kMmaWarps, std::min<int64_t>(256, tiles / 4));
    int64_t best = kMmaWarps;
    double best_fill = -1;
    for (int64_t splits = kMmaWarps; splits <= most; splits += kMmaWarps) {
      const int64_t blocks = units * splits / kMmaWarps, waves = (blocks + resident - 1) / resident;
      const double fill = double(blocks) / double(waves * resident);
      if (fill > best_fill + 0.02) best = splits, best_fill = fill;
    }
    p.n_splits = int32_t(best);
    return int64_t(p.batch) * p.n_heads * p.n_splits * (p.head_dim + 2);
  }
  const int tile = tile_for(p.head_dim, heads_per_block(p));
  const int64_t tiles = (p.length + tile - 1) / tile;
  const int64_t blocks = int64_t(p.batch) * p.n_kv_heads * (p.n_heads / p.n_kv_heads / heads_per_block(p));
  const int64_t want = (4 * int64_t(sm_count) + blocks - 1) / blocks;
  p.n_splits = int32_t(std::max<int64_t>(1, std::min<int64_t>(tiles, want)));
  return int64_t(p.batch) * p.n_heads * p.n_splits * (p.head_dim + 2);
}

const char* launch_decode_attention(const DecodeAttention& p, void* stream_ptr) {
  Kernel k = pick(p);
  if (!k) return "no fused kernel for this configuration";
  cudaStream_t stream = static_cast<cudaStream_t>(stream_ptr);
  if (use_tensor_cores(p)) {
    if (const char* err = launch_mma_decode_split(p, stream_ptr)) return err;
  } else {
    const int G = p.n_heads / p.n_kv_heads;
    dim3 grid(unsigned(p.n_splits), unsigned(p.n_kv_heads * (G / heads_per_block(p))), unsigned(p.batch));
    k<<<grid, kThreads, 0, stream>>>(p);
    if (cudaError_t e = cudaGetLastError(); e != cudaSuccess) return cudaGetErrorString(e);
  }
  combine_kernel<<<unsigned(p.batch * p.n_heads), unsigned(p.head_dim), 0, stream>>>(p);
  if (cudaError_t e = cudaGetLastError(); e != cudaSuccess) return cudaGetErrorString(e);
  return nullptr;
}

}  // namespace qs::cuda
