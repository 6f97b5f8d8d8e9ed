// The one place where Debian's LibTorch 1.13 (CPU build) and the GPU machine's LibTorch 2.x
// differ for us. Everything else includes this instead of testing versions itself.
#pragma once
#include <ATen/ATen.h>
#include <torch/version.h>

#include <functional>

#define QS_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) || (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

namespace qs::compat {

inline const char* torch_version() { return TORCH_VERSION; }

inline bool cuda_available() {
  return at::hasCUDA();
}

// LibTorch 1.13 has no float16 matrix product on the CPU ("addmm_impl_cpu_ not implemented
// for 'Half'"); 2.x does.
constexpr bool kCpuHalfMatmul = QS_TORCH_AT_LEAST(2, 1);

// Fused attention (flash / memory-efficient kernels) where LibTorch has it with grouped-query
// heads (2.5+): q [B, Hq, T, hd], k/v [B, Hkv, S, hd], Hq a multiple of Hkv; causal = the top-left
// aligned mask (query i sees keys <= i); mask = bool [T, S], true where a key is visible.
// Returns an undefined tensor where LibTorch has no such op (1.13): callers compute it themselves.
constexpr bool kHasSdpa = QS_TORCH_AT_LEAST(2, 5);
at::Tensor scaled_dot_product_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& mask, bool causal);

// bf16 autocast of CUDA ops (mixed-precision training) on or off; turning it off clears the cache
// of casted weights, as leaving torch.autocast does. (LibTorch 2.4 renamed these functions.)
void set_cuda_autocast_bf16(bool enabled);

// Peak device memory since start (bytes) where the runtime can tell; 0 on CPU builds.
size_t cuda_peak_bytes();
void cuda_reset_peak();
void cuda_synchronize();
// Returns cached blocks to the device, then reads its free and total bytes (0, 0 on CPU builds).
void cuda_memory_info(size_t& free_bytes, size_t& total_bytes);
// Device time of fn() in milliseconds by CUDA events on the current stream, median of `reps`
// after `warmup` calls (host time with a sync on CPU builds).
double device_time_ms(const std::function<void()>& fn, int warmup, int reps);

}  // namespace qs::compat
