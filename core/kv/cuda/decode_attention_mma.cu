// Tensor-core split kernel of fused decode attention; see decode_attention_mma.h for the mapping.
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cmath>
#include <utility>

#include "core/kv/cuda/decode_attention_mma.h"
#include "core/kv/cuda/device_dtype.cuh"

namespace qs::cuda {
namespace {

constexpr int HD = 128, NCH = HD / 16;  // chunks of 16 channels per head
constexpr uint32_t kMagic = 0x64006400u;  // f16 1024.0 in both halves

__device__ __forceinline__ __half2 h2(uint32_t u) { return *reinterpret_cast<__half2*>(&u); }
__device__ __forceinline__ uint32_t u32(__half2 h) { return *reinterpret_cast<uint32_t*>(&h); }

// f16 bit patterns as half2 constants (both halves).
__host__ __device__ constexpr uint32_t both(uint32_t bits16) { return bits16 * 0x10001u; }
__host__ __device__ constexpr uint32_t f16_pow2(int e) { return uint32_t(15 + e) << 10; }  // 2^e

// (x & mask) | magic in one instruction.
__device__ __forceinline__ uint32_t and_or(uint32_t x, uint32_t mask, uint32_t magic) {
  uint32_t r;
  asm("lop3.b32 %0, %1, %2, %3, 0xEA;" : "=r"(r) : "r"(x), "r"(mask), "r"(magic));
  return r;
}

__device__ __forceinline__ void mma(float (&c)[4], uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t b0, uint32_t b1) {
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
               : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
               : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
}

// A half of a "stream register" holds P = 16 / BITS codes (or one f16 value). Code p sits at bit
// p*BITS; it is read at offset p*BITS - shift after the register is shifted right by `shift`, so
// that every code lies in bits [0, 10) of its half (exact in the f16 mantissa of 1024).
__host__ __device__ constexpr int code_shift(int bits, int p) {
  int base = 0;
  for (int i = 0; i <= p; ++i)
    if (i * bits - base + bits > 10) base = i * bits;
  return base;
}
__host__ __device__ constexpr int code_offset(int bits, int p) { return p * bits - code_shift(bits, p); }
// Distinct offsets (0, bits, 2 bits, ... below 10): the constants an integer zero needs.
__host__ __device__ constexpr int n_offsets(int bits) { return bits >= 16 ? 1 : (10 - bits) / bits + 1; }

// How a token's codes read back, as half2 over the two halves of a stream register, in one form
// for every format: x = ((1024 + 2^o c) 2^-o + n_o) s + m, exact up to the last rounding, with
//   integer zero, q8_0 (z = 128), q4_0 (z = 8):  n_o = -1024 / 2^o - z, m = 0   -> (c - z) s
//   KIVI's min:                                  n_o = -1024 / 2^o,     m = min -> c s + min
template <int BITS>
struct Affine2 {
  __half2 s, m;
  __half2 n[n_offsets(BITS)];  // for offsets o = 0, BITS, 2 BITS, ...
};

template <int BITS>
__device__ __forceinline__ Affine2<BITS> affine2(CodeFormat f, __half2 s, __half2 zero) {
  Affine2<BITS> a;
  a.s = s;
  const bool is_min = f == CodeFormat::kAsymMin;
  const __half2 z = f == CodeFormat::kQ8_0 ? h2(both(f16_pow2(7))) : f == CodeFormat::kQ4_0 ? h2(both(f16_pow2(3))) : is_min ? h2(0u) : zero;
  a.m = is_min ? zero : h2(0u);
#pragma unroll
  for (int i = 0; i < n_offsets(BITS); ++i) a.n[i] = __hsub2(h2(both(0x8000u | f16_pow2(10 - i * BITS))), z);
  return a;
}

// Value pair p of a stream register (positions resolved at compile time).
template <int BITS, int P>
__device__ __forceinline__ uint32_t dequant_position(uint32_t r, const Affine2<BITS>& a) {
  constexpr int o = code_offset(BITS, P), shift = code_shift(BITS, P);
  constexpr uint32_t mask = (((1u << BITS) - 1u) << o) * 0x10001u;
  const uint32_t v = and_or(r >> shift, mask, kMagic);
  return u32(__hfma2(__hfma2(h2(v), h2(both(f16_pow2(-o))), a.n[o / BITS]), a.s, a.m));
}

template <int BITS, int... P>
__device__ __forceinline__ void dequant_positions(uint32_t r, const Affine2<BITS>& a, uint32_t* out, std::integer_sequence<int, P...>) {
  ((out[P] = dequant_position<BITS, P>(r, a)), ...);
}

// The P = 16 / BITS value pairs of a stream register, dequantized to f16 (BITS == 16: the
// register is the pair).
template <int BITS>
__device__ __forceinline__ void dequant_stream(uint32_t r, const Affine2<BITS>& a, uint32_t* out) {
  if constexpr (BITS == 16) out[0] = r;
  else dequant_positions<BITS>(r, a, out, std::make_integer_sequence<int, 16 / BITS>{});
}

// N consecutive 32-bit words through the widest aligned vector loads.
template <int N>
__device__ __forceinline__ void load_words(const uint8_t* p, uint32_t* w) {
  if constexpr (N == 1) {
    w[0] = __ldg(reinterpret_cast<const uint32_t*>(p));
  } else if constexpr (N == 2) {
    const uint2 v = __ldg(reinterpret_cast<const uint2*>(p));
    w[0] = v.x, w[1] = v.y;
  } else {
#pragma unroll
    for (int i = 0; i < N / 4; ++i) {
      const uint4 v = __ldg(reinterpret_cast<const uint4*>(p) + i);
      w[4 * i] = v.x, w[4 * i + 1] = v.y, w[4 * i + 2] = v.z, w[4 * i + 3] = v.w;
    }
  }
}

// One chunk (16 channels) of one token row: NW 32-bit words.
template <int BITS>
struct Chunk {
  static constexpr int NW = BITS / 2;  // 2-bit: 1 word, f16: 8 words
  uint32_t w[NW];
  __device__ __forceinline__ void load(const uint8_t* p) { load_words<NW>(p, w); }
  __device__ __forceinline__ void zero() {
#pragma unroll
    for (int i = 0; i < NW; ++i) w[i] = 0u;
  }
};

// Two consecutive chunks in one load.
template <int BITS>
__device__ __forceinline__ void load_chunk_pair(const uint8_t* p, Chunk<BITS>& a, Chunk<BITS>& b) {
  constexpr int NW = Chunk<BITS>::NW;
  uint32_t w[2 * NW];
  load_words<2 * NW>(p, w);
#pragma unroll
  for (int i = 0; i < NW; ++i) a.w[i] = w[i], b.w[i] = w[NW + i];
}

// Key pairs of one chunk: out[k] = (channel k, channel k + 8) for k = 0..7.
template <int BITS>
__device__ __forceinline__ void key_pairs(const Chunk<BITS>& c, const Affine2<BITS>& a, uint32_t (&out)[8]) {
  constexpr int P = 16 / BITS, NR = 8 / P;
  if constexpr (NR == 1) {
    dequant_stream<BITS>(c.w[0], a, out);
  } else {
    constexpr int NW = Chunk<BITS>::NW;
#pragma unroll
    for (int i = 0; i < NR; ++i) dequant_stream<BITS>(__byte_perm(c.w[i / 2], c.w[NW / 2 + i / 2], i % 2 ? 0x7632 : 0x5410), a, out + i * P);
  }
}

// Value pairs of one chunk of two tokens: out[j] = (token 0, token 1) at channel j, j = 0..15.
template <int BITS>
__device__ __forceinline__ void value_pairs(const Chunk<BITS>& t0, const Chunk<BITS>& t1, const Affine2<BITS>& a, uint32_t (&out)[16]) {
  constexpr int P = 16 / BITS;
#pragma unroll
  for (int i = 0; i < Chunk<BITS>::NW; ++i)
#pragma unroll
    for (int h = 0; h < 2; ++h) dequant_stream<BITS>(__byte_perm(t0.w[i], t1.w[i], h ? 0x7632 : 0x5410), a, out + (2 * i + h) * P);
}

// Where one side's rows of head kvh sit for sequence b.
struct SideRows {
  const uint8_t* codes;  // chunk 0 of token 0 of this head
  int64_t code_stride;   // bytes from one token to the next
  const uint16_t* scale;
  const uint16_t* zero;
  int64_t meta_base, meta_stride;  // f16 elements; chunk c of token t: meta_base + t*stride + (in_seg + 16c)/group
  int in_seg;
  const uint16_t* recent;  // f16 row of token qlen, channel kvh*HD
  const uint16_t* sink_vals;
  int64_t width;
  __device__ SideRows(const PackedSide& s, int bits, int b, int kvh, int width_) : width(width_) {
    const int seg = s.heads == 1 ? 0 : kvh, seg_width = width_ / s.heads;
    in_seg = s.heads == 1 ? kvh * HD : 0;
    const int64_t first = (int64_t(b) * s.heads + seg) * s.cap;
    code_stride = int64_t(seg_width) * bits / 8;
    codes = s.codes ? s.codes + first * code_stride + int64_t(in_seg) * bits / 8 : nullptr;
    scale = s.scale, zero = s.zero;
    meta_stride = s.group ? seg_width / s.group : 0;
    meta_base = first * meta_stride;
    recent = s.recent ? s.recent + int64_t(b) * s.rcap * width_ + kvh * HD : nullptr;
    sink_vals = s.sink_vals ? s.sink_vals + int64_t(b) * s.n_sinks * width_ + kvh * HD : nullptr;
  }
  // Token t's full-precision row (t >= qlen: the recent window; slot >= 0: a sink), else null.
  __device__ __forceinline__ const uint8_t* fp_row(const PackedSide& s, int64_t t, int slot) const {
    if (t >= s.qlen) return reinterpret_cast<const uint8_t*>(recent + (t - s.qlen) * width);
    if (slot >= 0) return reinterpret_cast<const uint8_t*>(sink_vals + int64_t(slot) * width);
    return nullptr;
  }
};

// Sink slot of token t for side s (-1: none); only called in tiles that hold a sink.
__device__ __forceinline__ int sink_slot(const PackedSide& s, int b, int64_t t) {
  if (t >= s.qlen) return -1;
  const int64_t* pos = s.sink_pos + int64_t(b) * s.n_sinks;
  for (int i = 0; i < s.n_sinks; ++i)
    if (pos[i] == t) return i;
  return -1;
}

// Side s's first 32 sink positions, one per lane (-1: none), read once per warp so that the check
// per tile costs no memory latency.
__device__ __forceinline__ int64_t lane_sink(const PackedSide& s, int b, int lane) {
  return lane < s.n_sinks ? s.sink_pos[int64_t(b) * s.n_sinks + lane] : -1;
}

// Whether any of side s's sinks lies in [t0, t0 + n) (warp-uniform).
__device__ __forceinline__ bool tile_has_sink(const PackedSide& s, int b, int64_t t0, int n, int lane, int64_t first32) {
  bool any = __any_sync(0xffffffffu, first32 >= t0 && first32 < t0 + n && first32 < s.qlen) != 0;
  for (int base = 32; base < s.n_sinks; base += 32) {
    const int i = base + lane;
    const int64_t p = i < s.n_sinks ? s.sink_pos[int64_t(b) * s.n_sinks + i] : -1;
    any |= __any_sync(0xffffffffu, p >= t0 && p < t0 + n && p < s.qlen) != 0;
  }
  return any;
}

// Tiles whose loads one warp issues together, and the blocks per multiprocessor the registers are
// sized for. Measured on the H200: batches of 2-4 tiles (2 blocks/SM, 255 registers) ran slower
// than one tile at 3 blocks/SM.
__host__ __device__ constexpr int tiles_per_batch(int) { return 1; }
__host__ __device__ constexpr int blocks_per_sm(int) { return kMmaBlocksPerSm; }

// One tile's raw loads for this thread: key chunks 2t and 2t+1 of tokens g and g+8, value chunk g
// of tokens 2t, 2t+1 (pair 0) and 2t+8, 2t+9 (pair 1), with their scale and zero (or min).
template <int BITS>
struct TileLoad {
  Chunk<BITS> k[2][2], v[2][2];   // [token][chunk], [pair][token]
  uint16_t ks[2][2], kz[2][2], vs[2][2], vz[2][2];
};

// One thread's column of a side: chunk `chunk` of every token of head kvh in sequence b, with
// 32-bit token strides (no division or 64-bit multiply per load).
template <int BITS>
struct ChunkColumn {
  const uint8_t* code = nullptr;     // token 0 (codes), or token qlen (BITS == 16: the recent rows)
  const uint16_t* scale = nullptr;   // token 0's group
  const uint16_t* zero = nullptr;    // the same as scale where the format has no zero
  int32_t stride = 0, meta_stride = 0, last_code = -1;  // last_code: qlen - 1 (-1: no codes)
  __device__ ChunkColumn(const PackedSide& s, const SideRows& r, int chunk) {
    if constexpr (BITS == 16) {
      code = reinterpret_cast<const uint8_t*>(r.recent) + 32 * chunk;
      stride = int32_t(r.width * 2);
    } else {
      last_code = int32_t(s.qlen) - 1;
      if (last_code < 0) return;
      code = r.codes + chunk * 2 * BITS;
      stride = int32_t(r.code_stride);
      const int64_t group0 = r.meta_base + (r.in_seg + 16 * chunk) / s.group;
      scale = r.scale + group0;
      zero = r.zero ? r.zero + group0 : scale;
      meta_stride = int32_t(r.meta_stride);
    }
  }
  // Token t's chunks c and c + 1 in one load (keys), with each one's scale and zero.
  __device__ __forceinline__ void load_pair(int t, bool same_group, Chunk<BITS> (&c)[2], uint16_t (&sc)[2], uint16_t (&z)[2]) const {
    if constexpr (BITS == 16) {
      load_chunk_pair<16>(code + t * stride, c[0], c[1]);
      sc[0] = sc[1] = z[0] = z[1] = 0;
    } else {
      if (last_code < 0) {
        c[0].zero(), c[1].zero(), sc[0] = sc[1] = z[0] = z[1] = 0;
        return;
      }
      const int tc = min(t, last_code);
      load_chunk_pair<BITS>(code + tc * stride, c[0], c[1]);
      sc[0] = __ldg(scale + tc * meta_stride), z[0] = __ldg(zero + tc * meta_stride);
      if (same_group) sc[1] = sc[0], z[1] = z[0];
      else sc[1] = __ldg(scale + tc * meta_stride + 1), z[1] = __ldg(zero + tc * meta_stride + 1);
    }
  }
  // Token t's chunk (code rows clamped to stored ones: a token read in full precision replaces
  // them later).
  __device__ __forceinline__ void load(int t, Chunk<BITS>& c, uint16_t& sc, uint16_t& z) const {
    if constexpr (BITS == 16) {
      c.load(code + t * stride);  // qlen = 0: token t is recent row t
      sc = z = 0;
    } else {
      if (last_code < 0) {
        c.zero(), sc = z = 0;
        return;
      }
      const int tc = min(t, last_code);
      c.load(code + tc * stride);
      sc = __ldg(scale + tc * meta_stride);
      z = __ldg(zero + tc * meta_stride);
    }
  }
};

template <int BITS>
struct Columns {
  ChunkColumn<BITS> k, v;  // key chunks 2t and 2t + 1, value chunk g
  bool key_pair_shares_group;
};

template <int BITS>
__device__ __forceinline__ void load_tile(const Columns<BITS>& cols, int t0, int last, int g, int t, TileLoad<BITS>& l) {
#pragma unroll
  for (int r = 0; r < 2; ++r) cols.k.load_pair(min(t0 + g + 8 * r, last), cols.key_pair_shares_group, l.k[r], l.ks[r], l.kz[r]);
#pragma unroll
  for (int pr = 0; pr < 2; ++pr)
#pragma unroll
    for (int e = 0; e < 2; ++e) cols.v.load(min(t0 + 2 * t + 8 * pr + e, last), l.v[pr][e], l.vs[pr][e], l.vz[pr][e]);
}

__device__ __forceinline__ __half2 halves(uint16_t lo, uint16_t hi) { return __halves2half2(__ushort_as_half(lo), __ushort_as_half(hi)); }

// Token t's full-precision row of side s in a tile that is not all codes, else null.
__device__ __forceinline__ const uint8_t* fp_row_of(const PackedSide& s, const SideRows& r, int b, int64_t t, bool sinks) {
  return r.fp_row(s, t, sinks ? sink_slot(s, b, t) : -1);
}

template <int BITS, int GB>
__global__ void __launch_bounds__(kMmaWarps * 32, blocks_per_sm(BITS)) mma_decode_kernel(const DecodeAttention p) {
  __shared__ float p_tile[kMmaWarps][kMmaTile][8];  // probabilities, transposed for the V operand
  constexpr int NT = tiles_per_batch(BITS);

  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32, g = lane / 4, t = lane % 4;
  const int G = p.n_heads / p.n_kv_heads, head_blocks = G / GB;
  const int kvh = blockIdx.y / head_blocks, hq0 = kvh * G + (blockIdx.y % head_blocks) * GB;
  const int b = blockIdx.z, split = blockIdx.x * kMmaWarps + warp;
  const int width = p.n_kv_heads * HD;
  const int64_t S = p.length;
  const int64_t tiles = (S + kMmaTile - 1) / kMmaTile, tiles_per = (tiles + p.n_splits - 1) / p.n_splits;
  const int64_t s_begin = int64_t(split) * tiles_per * kMmaTile, s_end = min(S, s_begin + tiles_per * kMmaTile);
  const SideRows kr(p.k, BITS, b, kvh, width), vr(p.v, BITS, b, kvh, width);
  const Columns<BITS> cols{ChunkColumn<BITS>(p.k, kr, 2 * t), ChunkColumn<BITS>(p.v, vr, g), p.k.group % 32 == 0};
  const CodeFormat kf = p.k.format, vf = p.v.format;
  const int64_t sink_k = lane_sink(p.k, b, lane), sink_v = lane_sink(p.v, b, lane);

  // Query operand (B of the key mma): for step s (chunk c = 2t + s / 4, q = s % 4), head g's
  // channels (16c + 2q, 16c + 2q + 8) and (16c + 2q + 1, 16c + 2q + 9); zero for heads >= GB.
  // f32 queries also keep the rounding residue (q - f16(q), a second mma): ~f32 precision.
  const bool split_q = p.q_dtype == DType::kF32;
  uint32_t qb[NCH][2], qr[NCH][2];
#pragma unroll
  for (int s = 0; s < NCH; ++s) {
    const int c = 2 * t + s / 4, q = s % 4;
#pragma unroll
    for (int j = 0; j < 2; ++j) {
      const int ch = 16 * c + 2 * q + j;
      float lo = 0.f, hi = 0.f;
      if (g < GB) {
        const int64_t base = (int64_t(b) * p.n_heads + hq0 + g) * HD;
        lo = load_as_float(p.q, p.q_dtype, base + ch), hi = load_as_float(p.q, p.q_dtype, base + ch + 8);
      }
      const __half2 rounded = __floats2half2_rn(lo, hi);
      qb[s][j] = u32(rounded);
      const float2 back = __half22float2(rounded);
      qr[s][j] = u32(__floats2half2_rn(lo - back.x, hi - back.y));
    }
  }

  // Running state for heads 2t and 2t+1 (replicated over g): max of scaled logits, partial sums.
  float m_run[2] = {-INFINITY, -INFINITY}, l_run[2] = {0.f, 0.f};
  float acc[NCH][4];  // O^T m-tile u: (channel 16g + u, heads 2t, 2t+1), (16g + 8 + u, ...)
#pragma unroll
  for (int u = 0; u < NCH; ++u) acc[u][0] = acc[u][1] = acc[u][2] = acc[u][3] = 0.f;

  for (int64_t b0 = s_begin; b0 < s_end; b0 += NT * kMmaTile) {
    TileLoad<BITS> ld[NT];
#pragma unroll
    for (int i = 0; i < NT; ++i)
      if (b0 + i * kMmaTile < s_end) load_tile<BITS>(cols, int(b0) + i * kMmaTile, int(S) - 1, g, t, ld[i]);
#pragma unroll
    for (int i = 0; i < NT; ++i) {
      const int64_t t0 = b0 + i * kMmaTile;
      if (t0 >= s_end) continue;
      const TileLoad<BITS>& l = ld[i];
      // Tiles that are not all codes look up which of their tokens read full-precision rows.
      const bool sinks_k = p.k.n_sinks && tile_has_sink(p.k, b, t0, kMmaTile, lane, sink_k);
      const bool sinks_v = p.v.n_sinks && tile_has_sink(p.v, b, t0, kMmaTile, lane, sink_v);
      const bool mixed_k = BITS != 16 && (sinks_k || t0 + kMmaTile > p.k.qlen);
      const bool mixed_v = BITS != 16 && (sinks_v || t0 + kMmaTile > p.v.qlen);

      // ---- keys: S^T = K Q^T over 8 steps of 16 channel slots.
      float s_acc[4] = {0.f, 0.f, 0.f, 0.f};
#pragma unroll
      for (int j = 0; j < 2; ++j) {
        uint32_t pr[2][8];
#pragma unroll
        for (int r = 0; r < 2; ++r) {
          if constexpr (BITS == 16) {
            key_pairs<16>(l.k[r][j], Affine2<16>{}, pr[r]);
          } else {
            key_pairs<BITS>(l.k[r][j], affine2<BITS>(kf, __half2half2(__ushort_as_half(l.ks[r][j])), __half2half2(__ushort_as_half(l.kz[r][j]))), pr[r]);
            if (mixed_k) {
              const int64_t tk = min(t0 + g + 8 * r, S - 1);
              if (const uint8_t* fp = fp_row_of(p.k, kr, b, tk, sinks_k)) {
                Chunk<16> f;
                f.load(fp + 32 * (2 * t + j));
                key_pairs<16>(f, Affine2<16>{}, pr[r]);
              }
            }
          }
        }
#pragma unroll
        for (int q = 0; q < 4; ++q) mma(s_acc, pr[0][2 * q], pr[1][2 * q], pr[0][2 * q + 1], pr[1][2 * q + 1], qb[4 * j + q][0], qb[4 * j + q][1]);
        if (split_q)
#pragma unroll
          for (int q = 0; q < 4; ++q) mma(s_acc, pr[0][2 * q], pr[1][2 * q], pr[0][2 * q + 1], pr[1][2 * q + 1], qr[4 * j + q][0], qr[4 * j + q][1]);
      }
      float sc[2][2] = {{s_acc[0], s_acc[1]}, {s_acc[2], s_acc[3]}};  // [token g / g+8][head 2t / 2t+1]

      // ---- online softmax for heads 2t, 2t+1 over the tile's 16 tokens (lanes g hold tokens).
      float pv[2][2], alpha[2];
#pragma unroll
      for (int h = 0; h < 2; ++h) {
        float mx = -INFINITY;
#pragma unroll
        for (int r = 0; r < 2; ++r) {
          sc[r][h] = t0 + g + 8 * r < s_end ? sc[r][h] * p.scale : -INFINITY;
          mx = fmaxf(mx, sc[r][h]);
        }
        mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 4));
        mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 8));
        mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 16));
        const float m_new = fmaxf(m_run[h], mx);  // finite: the tile's first token is valid
        alpha[h] = __expf(m_run[h] - m_new);
        m_run[h] = m_new;
        float sum = 0.f;
#pragma unroll
        for (int r = 0; r < 2; ++r) pv[r][h] = __expf(sc[r][h] - m_new), sum += pv[r][h];
        l_run[h] = l_run[h] * alpha[h] + sum;
      }
      if (__any_sync(0xffffffffu, alpha[0] != 1.f || alpha[1] != 1.f))  // the max moved
#pragma unroll
        for (int u = 0; u < NCH; ++u) acc[u][0] *= alpha[0], acc[u][1] *= alpha[1], acc[u][2] *= alpha[0], acc[u][3] *= alpha[1];
      __syncwarp();
#pragma unroll
      for (int r = 0; r < 2; ++r) p_tile[warp][g + 8 * r][2 * t] = pv[r][0], p_tile[warp][g + 8 * r][2 * t + 1] = pv[r][1];
      __syncwarp();
      // P^T operand: head g, tokens (2t, 2t+1) and (2t+8, 2t+9).
      const uint32_t pb0 = u32(__floats2half2_rn(p_tile[warp][2 * t][g], p_tile[warp][2 * t + 1][g]));
      const uint32_t pb1 = u32(__floats2half2_rn(p_tile[warp][2 * t + 8][g], p_tile[warp][2 * t + 9][g]));

      // ---- values: O^T += V^T P^T, m-tile u = channels (16g + u, 16g + 8 + u) of every row.
      uint32_t a[2][16];  // [token pair][channel j of chunk g]
#pragma unroll
      for (int pr = 0; pr < 2; ++pr) {
        if constexpr (BITS == 16) {
          value_pairs<16>(l.v[pr][0], l.v[pr][1], Affine2<16>{}, a[pr]);
        } else {
          value_pairs<BITS>(l.v[pr][0], l.v[pr][1], affine2<BITS>(vf, halves(l.vs[pr][0], l.vs[pr][1]), halves(l.vz[pr][0], l.vz[pr][1])), a[pr]);
          if (mixed_v) {  // blend in full-precision rows, half by half
            const uint8_t* fp[2];
            Chunk<16> f[2];
#pragma unroll
            for (int e = 0; e < 2; ++e) {
              fp[e] = fp_row_of(p.v, vr, b, min(t0 + 2 * t + 8 * pr + e, S - 1), sinks_v);
              if (fp[e]) f[e].load(fp[e] + 32 * g);
              else f[e].zero();
            }
            if (fp[0] || fp[1]) {
              uint32_t fv[16];
              value_pairs<16>(f[0], f[1], Affine2<16>{}, fv);
              const uint32_t keep = (fp[0] ? 0u : 0x0000ffffu) | (fp[1] ? 0u : 0xffff0000u);
#pragma unroll
              for (int j = 0; j < 16; ++j) a[pr][j] = (a[pr][j] & keep) | (fv[j] & ~keep);
            }
          }
        }
      }
#pragma unroll
      for (int u = 0; u < NCH; ++u) mma(acc[u], a[0][u], a[0][u + 8], a[1][u], a[1][u + 8], pb0, pb1);
    }
  }

  // ---- this warp's split: sum l over the token lanes, write (m, l) and the unnormalised O.
#pragma unroll
  for (int h = 0; h < 2; ++h) {
    l_run[h] += __shfl_xor_sync(0xffffffffu, l_run[h], 4);
    l_run[h] += __shfl_xor_sync(0xffffffffu, l_run[h], 8);
    l_run[h] += __shfl_xor_sync(0xffffffffu, l_run[h], 16);
  }
  float* ml_all = p.part_out + int64_t(p.batch) * p.n_heads * p.n_splits * HD;
#pragma unroll
  for (int h = 0; h < 2; ++h) {
    const int head = 2 * t + h;
    if (head >= GB) continue;
    const int64_t base = (int64_t(b) * p.n_heads + hq0 + head) * p.n_splits + split;
#pragma unroll
    for (int u = 0; u < NCH; ++u) {
      p.part_out[base * HD + 16 * g + u] = acc[u][h];
      p.part_out[base * HD + 16 * g + 8 + u] = acc[u][2 + h];
    }
    if (g == 0) ml_all[base * 2] = m_run[h], ml_all[base * 2 + 1] = l_run[h];
  }
}

using Kernel = void (*)(const DecodeAttention);

template <int BITS>
Kernel pick_gb(int gb) {
  switch (gb) {
    case 8: return mma_decode_kernel<BITS, 8>;
    case 4: return mma_decode_kernel<BITS, 4>;
    case 2: return mma_decode_kernel<BITS, 2>;
    default: return mma_decode_kernel<BITS, 1>;
  }
}

Kernel pick(const DecodeAttention& p) {
  const int gb = mma_heads_per_warp(p);
  switch (p.k.bits) {
    case 2: return pick_gb<2>(gb);
    case 4: return pick_gb<4>(gb);
    case 8: return pick_gb<8>(gb);
    case 16: return pick_gb<16>(gb);
    default: return nullptr;
  }
}

}  // namespace

int mma_heads_per_warp(const DecodeAttention& p) {
  const int G = p.n_kv_heads > 0 ? p.n_heads / p.n_kv_heads : 1;
  for (int gb : {8, 4, 2})
    if (G % gb == 0) return gb;
  return 1;
}

const char* mma_decode_unsupported(const DecodeAttention& p) {
  if (p.head_dim != HD) return "the tensor-core kernel takes head_dim 128";
  if (p.k.per_channel || p.v.per_channel) return "per-channel key chunks";
  if (p.k.bits != p.v.bits) return "keys and values differ in code width";
  if (p.k.bits != 2 && p.k.bits != 4 && p.k.bits != 8 && p.k.bits != 16) return "codes are not 2, 4 or 8 bits";
  for (const PackedSide* s : {&p.k, &p.v}) {
    if (s->bits == 16) continue;
    if (s->group % 16 != 0) return "groups are not a multiple of 16 channels";
    if (s->qlen > 0 && !s->scale) return "metadata is not f16";
  }
  return "";
}

const char* launch_mma_decode_split(const DecodeAttention& p, void* stream_ptr) {
  Kernel k = pick(p);
  if (!k || p.n_splits % kMmaWarps != 0) return "no tensor-core kernel for this configuration";
  const int G = p.n_heads / p.n_kv_heads;
  dim3 grid(unsigned(p.n_splits / kMmaWarps), unsigned(p.n_kv_heads * (G / mma_heads_per_warp(p))), unsigned(p.batch));
  k<<<grid, kMmaWarps * 32, 0, static_cast<cudaStream_t>(stream_ptr)>>>(p);
  if (cudaError_t e = cudaGetLastError(); e != cudaSuccess) return cudaGetErrorString(e);
  return nullptr;
}

}  // namespace qs::cuda
