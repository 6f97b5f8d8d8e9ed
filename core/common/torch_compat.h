// The one place where Debian's LibTorch 1.13 (CPU build) and the GPU machine's LibTorch 2.x
// differ for us. Everything else includes this instead of testing versions itself.
#pragma once
#include <ATen/ATen.h>
#include <torch/version.h>

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

// Peak device memory since start (bytes) where the runtime can tell; 0 on CPU builds.
size_t cuda_peak_bytes();
void cuda_reset_peak();
void cuda_synchronize();

}  // namespace qs::compat
