// One block per token row; each warp quantizes whole groups (32 lanes, group/32 consecutive
// elements a lane), writes the group's codes to shared memory, then the block packs the row.
// Bit-exact with LibTorch's CUDA ops: built with -fmad=false (no contracted a*b+c), and a division
// by a constant is a multiplication by its float reciprocal, as LibTorch's division by a scalar is.
#include <cuda_fp16.h>
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include "core/kv/cuda/device_dtype.cuh"
#include "core/kv/cuda/quantize_rows.h"

namespace qs::cuda {
namespace {

constexpr int kThreads = 128;

__device__ __forceinline__ float warp_min(float v) {
  for (int o = 16; o > 0; o /= 2) v = fminf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}
__device__ __forceinline__ float warp_max(float v) {
  for (int o = 16; o > 0; o /= 2) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

// Nearest f16 at or above x (x > 0), as the reference's half_ceil.
__device__ __forceinline__ uint16_t half_ceil_bits(float x) {
  uint16_t h = __half_as_ushort(__float2half_rn(x));
  if (__half2float(__ushort_as_half(h)) < x) ++h;
  return h;
}

// Nearest f16 at or below x, as the reference's half_floor (sign-magnitude steps).
__device__ __forceinline__ uint16_t half_floor_bits(float x) {
  const uint16_t h = __half_as_ushort(__float2half_rn(x));
  const float hf = __half2float(__ushort_as_half(h));
  if (!(hf > x)) return h;
  if (hf > 0.f) return uint16_t(h - 1);
  if (hf < 0.f) return uint16_t(h + 1);
  return uint16_t(0x8001);  // the smallest negative subnormal
}

__global__ void __launch_bounds__(kThreads) quantize_rows_kernel(const QuantizeRows p) {
  extern __shared__ uint8_t codes_s[];  // [width]
  const int row = blockIdx.x, b = row / p.tokens, t = row % p.tokens;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int per_lane = p.group / 32, groups = p.width / p.group, levels = (1 << p.bits) - 1;
  const int64_t in_row = int64_t(row) * p.width;
  // Segment h of this row is row (b, h, row0 + t) of the head-major buffers.
  auto seg_row = [&](int h) { return (int64_t(b) * p.heads + h) * p.cap + p.row0 + t; };
  const int seg_groups = groups / p.heads;
  for (int gi = warp; gi < groups; gi += kThreads / 32) {
    const int e0 = gi * p.group + lane * per_lane;
    // A lane's elements are read twice (range, then codes): the second read hits L1.
    auto x = [&](int j) { return load_as_float(p.x, p.x_dtype, in_row + e0 + j); };
    float scale = 0.f, zero = 0.f;
    uint16_t scale_bits = 0, zero_bits = 0;
    if (p.format == CodeFormat::kQ8_0) {
      float amax = 0.f;
      for (int j = 0; j < per_lane; ++j) amax = fmaxf(amax, fabsf(x(j)));
      amax = warp_max(amax);
      const float d = amax * (1.f / 127.f), id = d > 0.f ? 1.f / d : 0.f;
      for (int j = 0; j < per_lane; ++j) {
        const float v = x(j) * id;
        const float r = (v > 0.f ? 1.f : v < 0.f ? -1.f : 0.f) * floorf(fabsf(v) + 0.5f) + 128.f;
        codes_s[e0 + j] = uint8_t(fminf(fmaxf(r, 0.f), float(levels)));
      }
      scale_bits = __half_as_ushort(__float2half_rn(d));
    } else if (p.format == CodeFormat::kQ4_0) {
      // Value of largest magnitude, the first one on ties.
      float best = -1.f, val = 0.f;
      int idx = 0x7fffffff;
      for (int j = 0; j < per_lane; ++j)
        if (fabsf(x(j)) > best) best = fabsf(x(j)), val = x(j), idx = e0 + j;
      for (int o = 16; o > 0; o /= 2) {
        const float ob = __shfl_xor_sync(0xffffffffu, best, o), ov = __shfl_xor_sync(0xffffffffu, val, o);
        const int oi = __shfl_xor_sync(0xffffffffu, idx, o);
        if (ob > best || (ob == best && oi < idx)) best = ob, val = ov, idx = oi;
      }
      const float d = val * (1.f / -8.f), id = d != 0.f ? 1.f / d : 0.f;
      for (int j = 0; j < per_lane; ++j) codes_s[e0 + j] = uint8_t(fminf(fmaxf(fminf(floorf(x(j) * id + 8.5f), 15.f), 0.f), float(levels)));
      scale_bits = __half_as_ushort(__float2half_rn(d));
    } else {
      float lo = x(0), hi = x(0);
      for (int j = 1; j < per_lane; ++j) lo = fminf(lo, x(j)), hi = fmaxf(hi, x(j));
      float a = warp_min(lo) * p.clip, c = warp_max(hi) * p.clip;
      if (c - a <= fmaxf(fmaxf(fabsf(a), fabsf(c)), 1e-30f) * 1e-6f) a = fminf(a, 0.f), c = fmaxf(c, 0.f);
      float mn = a;
      if (p.format == CodeFormat::kAsymMin) {
        zero_bits = half_floor_bits(a);
        mn = __half2float(__ushort_as_half(zero_bits));
      }
      float s = (c - mn) * (1.f / float(levels));
      if (!(s > 0.f)) s = 1.f;
      scale_bits = half_ceil_bits(fminf(fmaxf(s, 6.0e-8f), 65504.f));
      scale = __half2float(__ushort_as_half(scale_bits));
      if (p.format == CodeFormat::kAsymMin) {
        for (int j = 0; j < per_lane; ++j) codes_s[e0 + j] = uint8_t(fminf(fmaxf(rintf((x(j) - mn) / scale), 0.f), float(levels)));
      } else {
        zero = fminf(fmaxf(rintf(-a / scale), -2048.f), 2048.f);
        zero_bits = __half_as_ushort(__float2half_rn(zero));
        for (int j = 0; j < per_lane; ++j) codes_s[e0 + j] = uint8_t(fminf(fmaxf(rintf(x(j) / scale) + zero, 0.f), float(levels)));
      }
    }
    if (lane == 0) {
      const int64_t m = seg_row(gi / seg_groups) * seg_groups + gi % seg_groups;
      p.scale[m] = scale_bits;
      if (p.zero) p.zero[m] = zero_bits;
    }
  }
  __syncthreads();
  const int per_byte = 8 / p.bits, row_bytes = p.width / per_byte, seg_bytes = row_bytes / p.heads;
  for (int i = threadIdx.x; i < row_bytes; i += kThreads) {
    uint32_t byte = 0;
    for (int j = 0; j < per_byte; ++j) byte |= uint32_t(codes_s[i * per_byte + j]) << (j * p.bits);
    p.codes[seg_row(i / seg_bytes) * seg_bytes + i % seg_bytes] = uint8_t(byte);
  }
}

}  // namespace

const char* quantize_rows_unsupported(const QuantizeRows& p) {
  if (p.bits != 2 && p.bits != 4 && p.bits != 8) return "code width is not 2, 4 or 8 bits";
  if (p.group % 32 != 0) return "group is not a multiple of 32";
  if (p.width % p.group != 0) return "groups do not tile the row";
  if (p.heads < 1 || (p.width / p.group) % p.heads != 0 || (p.width * p.bits / 8) % p.heads != 0) return "segments do not hold whole groups";
  if (p.width > 48 * 1024) return "row wider than shared memory";
  if ((p.format == CodeFormat::kAsymIntZero || p.format == CodeFormat::kAsymMin) && !p.zero) return "no zero-point buffer";
  return "";
}

const char* launch_quantize_rows(const QuantizeRows& p, void* stream) {
  if (p.batch * p.tokens == 0) return nullptr;
  quantize_rows_kernel<<<unsigned(p.batch * p.tokens), kThreads, size_t(p.width), static_cast<cudaStream_t>(stream)>>>(p);
  if (cudaError_t e = cudaGetLastError(); e != cudaSuccess) return cudaGetErrorString(e);
  return nullptr;
}

}  // namespace qs::cuda
