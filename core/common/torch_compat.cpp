#include "core/common/torch_compat.h"

#include <ATen/autocast_mode.h>

#include <algorithm>
#include <chrono>
#include <vector>

#if defined(QS_WITH_CUDA)
#include <ATen/cuda/CUDAEvent.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime_api.h>
#endif

namespace qs::compat {

at::Tensor scaled_dot_product_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& mask, bool causal) {
#if QS_TORCH_AT_LEAST(2, 5)
  const bool gqa = q.size(1) != k.size(1);
  if (gqa && mask.defined()) {  // the memory-efficient kernel (masks) takes no grouped heads: expand
    const int64_t g = q.size(1) / k.size(1);
    return at::scaled_dot_product_attention(q, k.repeat_interleave(g, 1), v.repeat_interleave(g, 1), mask, 0.0, false);
  }
  return at::scaled_dot_product_attention(q, k, v, mask.defined() ? std::optional<at::Tensor>(mask) : std::nullopt, 0.0, causal, std::nullopt, gqa);
#else
  (void)q, (void)k, (void)v, (void)mask, (void)causal;
  return at::Tensor();
#endif
}

#if defined(QS_WITH_CUDA)
size_t cuda_peak_bytes() {
#if QS_TORCH_AT_LEAST(2, 1)
  auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(c10::cuda::current_device());
  return size_t(stats.allocated_bytes[0].peak);
#else
  return 0;
#endif
}
void cuda_reset_peak() { c10::cuda::CUDACachingAllocator::resetPeakStats(c10::cuda::current_device()); }
void cuda_synchronize() { c10::cuda::device_synchronize(); }
void cuda_memory_info(size_t& free_bytes, size_t& total_bytes) {
  c10::cuda::CUDACachingAllocator::emptyCache();
  if (cudaMemGetInfo(&free_bytes, &total_bytes) != cudaSuccess) free_bytes = total_bytes = 0;
}
#else
size_t cuda_peak_bytes() { return 0; }
void cuda_reset_peak() {}
void cuda_synchronize() {}
void cuda_memory_info(size_t& free_bytes, size_t& total_bytes) { free_bytes = total_bytes = 0; }
#endif

namespace {
// One call's time in milliseconds: CUDA events on the current stream, or the host clock.
double time_one_ms(const std::function<void()>& fn) {
#if defined(QS_WITH_CUDA)
  at::cuda::CUDAEvent start(cudaEventDefault), stop(cudaEventDefault);
  start.record();
  fn();
  stop.record();
  stop.synchronize();
  return start.elapsed_time(stop);
#else
  const auto t0 = std::chrono::steady_clock::now();
  fn();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
#endif
}
}  // namespace

double device_time_ms(const std::function<void()>& fn, int warmup, int reps) {
  for (int i = 0; i < warmup; ++i) fn();
  std::vector<double> ms;
  for (int i = 0; i < reps; ++i) ms.push_back(time_one_ms(fn));
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

void set_cuda_autocast_bf16(bool enabled) {
#if QS_TORCH_AT_LEAST(2, 4)
  at::autocast::set_autocast_enabled(at::kCUDA, enabled);
  if (enabled) at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
#else
  at::autocast::set_enabled(enabled);
  if (enabled) at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
#endif
  if (!enabled) at::autocast::clear_cache();
}

}  // namespace qs::compat
