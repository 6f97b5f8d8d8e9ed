#include "core/common/device.h"

#include "core/common/error.h"
#include "core/common/torch_compat.h"

namespace qs {

at::Device parse_device(const std::string& s) {
  if (s == "cpu") return at::Device(at::kCPU);
  if (s.rfind("cuda", 0) == 0) {
    if (!compat::cuda_available()) fail(ErrorKind::kUnsupported, "device '" + s + "' requested but this build has no CUDA device available (use --device cpu)");
    try {
      return at::Device(s);
    } catch (const std::exception&) {
      fail(ErrorKind::kInvalidArgument, "bad device '" + s + "'");
    }
  }
  fail(ErrorKind::kInvalidArgument, "unknown device '" + s + "' (cpu or cuda[:N])");
}

at::ScalarType parse_dtype(const std::string& s) {
  if (s == "f32" || s == "float32") return at::kFloat;
  if (s == "f16" || s == "float16") return at::kHalf;
  if (s == "bf16" || s == "bfloat16") return at::kBFloat16;
  fail(ErrorKind::kInvalidArgument, "unknown dtype '" + s + "' (f32, f16 or bf16)");
}

std::string dtype_name(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return "f32";
    case at::kHalf: return "f16";
    case at::kBFloat16: return "bf16";
    default: return c10::toString(t);
  }
}

}  // namespace qs
