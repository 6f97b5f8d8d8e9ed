// Device and dtype selection from user strings ("cpu", "cuda", "cuda:1"; "f32", "f16", "bf16").
#pragma once
#include <ATen/ATen.h>

#include <string>

namespace qs {

at::Device parse_device(const std::string& s);   // throws Error(kInvalidArgument / kUnsupported)
at::ScalarType parse_dtype(const std::string& s);  // throws Error(kInvalidArgument)
std::string dtype_name(at::ScalarType t);

}  // namespace qs
