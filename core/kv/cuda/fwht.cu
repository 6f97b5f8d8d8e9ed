// Fast Walsh-Hadamard transform of rows; see fwht.h for the arithmetic and the work split.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cmath>

#include "core/kv/cuda/fwht.h"

namespace qs::cuda {
namespace {

constexpr int kThreads = 256;
constexpr int kChunk = 1024;  // elements one warp transforms with registers and shuffles

template <typename T>
__device__ __forceinline__ float to_float(T v) {
  if constexpr (sizeof(T) == 4) return v;
  else if constexpr (std::is_same_v<T, __half>) return __half2float(v);
  else return __bfloat162float(v);
}

template <typename T>
__device__ __forceinline__ T from_float(float v) {
  if constexpr (sizeof(T) == 4) return v;
  else if constexpr (std::is_same_v<T, __half>) return __float2half_rn(v);
  else return __float2bfloat16_rn(v);
}

// E consecutive elements through 16-byte loads and stores (E * sizeof(T) is a multiple of 16).
template <typename T, int E>
__device__ __forceinline__ void load_run(const T* p, float (&v)[E]) {
  constexpr int per = 16 / sizeof(T);
#pragma unroll
  for (int c = 0; c < E / per; ++c) {
    const uint4 w = __ldg(reinterpret_cast<const uint4*>(p) + c);
    const T* e = reinterpret_cast<const T*>(&w);
#pragma unroll
    for (int i = 0; i < per; ++i) v[c * per + i] = to_float(e[i]);
  }
}

template <typename T, int E>
__device__ __forceinline__ void store_run(T* p, const float (&v)[E], float scale) {
  constexpr int per = 16 / sizeof(T);
#pragma unroll
  for (int c = 0; c < E / per; ++c) {
    uint4 w;
    T* e = reinterpret_cast<T*>(&w);
#pragma unroll
    for (int i = 0; i < per; ++i) e[i] = from_float<T>(v[c * per + i] * scale);
    reinterpret_cast<uint4*>(p)[c] = w;
  }
}

// Stages h = 1 .. E/2 inside one thread's registers.
template <int E>
__device__ __forceinline__ void register_stages(float (&v)[E]) {
#pragma unroll
  for (int h = 1; h < E; h *= 2)
#pragma unroll
    for (int i = 0; i < E; ++i)
      if ((i & h) == 0) {
        const float a = v[i], b = v[i + h];
        v[i] = a + b, v[i + h] = a - b;
      }
}

// Stages h = E .. E*L/2 across the L lanes that hold one run of E*L elements (L divides 32).
template <int E, int L>
__device__ __forceinline__ void shuffle_stages(float (&v)[E], int lane_in_run) {
#pragma unroll
  for (int d = 1; d < L; d *= 2) {
    const bool upper = lane_in_run & d;
#pragma unroll
    for (int i = 0; i < E; ++i) {
      const float other = __shfl_xor_sync(0xffffffffu, v[i], d);
      v[i] = upper ? other - v[i] : v[i] + other;
    }
  }
}

// Rows of N <= 1024: each warp holds 32 / L rows, L = N / E lanes per row.
template <typename T, int N>
__global__ void __launch_bounds__(kThreads) fwht_rows_kernel(const T* x, T* y, int64_t rows, float scale) {
  constexpr int E = N <= 256 ? 8 : N / 32, L = N / E, RPW = 32 / L;
  static_assert(E * sizeof(T) % 16 == 0 && L <= 32, "shape");
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  const int64_t row = (int64_t(blockIdx.x) * (kThreads / 32) + warp) * RPW + lane / L;
  const int l = lane % L;
  // Rows past the end still take part in the shuffles (whole warps), on zeros.
  float v[E];
  if (row < rows) load_run<T, E>(x + row * N + l * E, v);
  else
#pragma unroll
    for (int i = 0; i < E; ++i) v[i] = 0.f;
  register_stages<E>(v);
  shuffle_stages<E, L>(v, l);
  if (row < rows) store_run<T, E>(y + row * N + l * E, v, scale);
}

// Rows of N > 1024: one block of N / 32 threads per row. Warp c transforms chunk c (stages below
// 1024) into shared memory; then each thread takes columns j and the C = N / 1024 elements
// j + 1024 m of the chunks through the remaining stages.
template <typename T, int N>
__global__ void __launch_bounds__(N / 32) fwht_long_kernel(const T* x, T* y, float scale) {
  constexpr int E = kChunk / 32, C = N / kChunk;
  extern __shared__ float chunk_out[];
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  const int64_t row = blockIdx.x;
  float v[E];
  load_run<T, E>(x + row * N + warp * kChunk + lane * E, v);
  register_stages<E>(v);
  shuffle_stages<E, 32>(v, lane);
#pragma unroll
  for (int i = 0; i < E; ++i) chunk_out[warp * kChunk + lane * E + i] = v[i];  // f32, as the stages
  __syncthreads();
  for (int j = threadIdx.x; j < kChunk; j += blockDim.x) {
    float w[C];
#pragma unroll
    for (int m = 0; m < C; ++m) w[m] = chunk_out[m * kChunk + j];
    register_stages<C>(w);
#pragma unroll
    for (int m = 0; m < C; ++m) y[row * N + m * kChunk + j] = from_float<T>(w[m] * scale);
  }
}

template <typename T, int N>
cudaError_t launch_n(const T* x, T* y, int64_t rows, float scale, cudaStream_t stream) {
  if constexpr (N <= kChunk) {
    constexpr int E = N <= 256 ? 8 : N / 32, RPB = (kThreads / 32) * (32 / (N / E));
    fwht_rows_kernel<T, N><<<unsigned((rows + RPB - 1) / RPB), kThreads, 0, stream>>>(x, y, rows, scale);
  } else {
    const size_t smem = size_t(N) * sizeof(float);
    if (smem > 48 * 1024)
      if (cudaError_t e = cudaFuncSetAttribute(fwht_long_kernel<T, N>, cudaFuncAttributeMaxDynamicSharedMemorySize, int(smem)); e != cudaSuccess) return e;
    fwht_long_kernel<T, N><<<unsigned(rows), N / 32, smem, stream>>>(x, y, scale);
  }
  return cudaGetLastError();
}

template <typename T>
cudaError_t launch_typed(const void* x, void* y, int64_t rows, int32_t n, float scale, cudaStream_t s) {
  const T* in = static_cast<const T*>(x);
  T* out = static_cast<T*>(y);
  switch (n) {
    case 8: return launch_n<T, 8>(in, out, rows, scale, s);
    case 16: return launch_n<T, 16>(in, out, rows, scale, s);
    case 32: return launch_n<T, 32>(in, out, rows, scale, s);
    case 64: return launch_n<T, 64>(in, out, rows, scale, s);
    case 128: return launch_n<T, 128>(in, out, rows, scale, s);
    case 256: return launch_n<T, 256>(in, out, rows, scale, s);
    case 512: return launch_n<T, 512>(in, out, rows, scale, s);
    case 1024: return launch_n<T, 1024>(in, out, rows, scale, s);
    case 2048: return launch_n<T, 2048>(in, out, rows, scale, s);
    case 4096: return launch_n<T, 4096>(in, out, rows, scale, s);
    case 8192: return launch_n<T, 8192>(in, out, rows, scale, s);
    case 16384: return launch_n<T, 16384>(in, out, rows, scale, s);
    case 32768: return launch_n<T, 32768>(in, out, rows, scale, s);
    default: return cudaErrorInvalidValue;
  }
}

}  // namespace

const char* fwht_unsupported(int64_t n, const void* x, const void* y) {
  if (n < 8 || n > 32768 || (n & (n - 1)) != 0) return "the row length is not a power of two in [8, 32768]";
  if (reinterpret_cast<uintptr_t>(x) % 16 != 0 || reinterpret_cast<uintptr_t>(y) % 16 != 0) return "the rows are not 16-byte aligned";
  return "";
}

const char* launch_fwht(const void* x, void* y, int64_t rows, int32_t n, DType dtype, void* stream_ptr) {
  if (rows == 0) return nullptr;
  cudaStream_t stream = static_cast<cudaStream_t>(stream_ptr);
  const float scale = float(1.0 / std::sqrt(double(n)));
  cudaError_t e = cudaErrorInvalidValue;
  switch (dtype) {
    case DType::kF32: e = launch_typed<float>(x, y, rows, n, scale, stream); break;
    case DType::kF16: e = launch_typed<__half>(x, y, rows, n, scale, stream); break;
    case DType::kBF16: e = launch_typed<__nv_bfloat16>(x, y, rows, n, scale, stream); break;
  }
  return e == cudaSuccess ? nullptr : cudaGetErrorString(e);
}

}  // namespace qs::cuda
