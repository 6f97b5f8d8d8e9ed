#include "core/common/torch_compat.h"

#if defined(QS_WITH_CUDA)
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#endif

namespace qs::compat {

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
#else
size_t cuda_peak_bytes() { return 0; }
void cuda_reset_peak() {}
void cuda_synchronize() {}
#endif

}  // namespace qs::compat
