// Reading f32 / f16 / bf16 elements as float inside kernels (the DType the launchers pass).
#pragma once
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "core/kv/cuda/element_types.h"

namespace qs::cuda {

__device__ __forceinline__ float load_as_float(const void* data, DType dt, int64_t i) {
  switch (dt) {
    case DType::kF32: return static_cast<const float*>(data)[i];
    case DType::kF16: return __half2float(static_cast<const __half*>(data)[i]);
    case DType::kBF16: return __bfloat162float(static_cast<const __nv_bfloat16*>(data)[i]);
  }
  return 0.f;
}

}  // namespace qs::cuda
