// The MRI seam's data: an image volume (slices x H x W) with its geometry, and a k-space scan
// (slices x coils x H x W, complex64). Tensors may live on CPU or CUDA.
#pragma once
#include <array>
#include <map>
#include <string>

#include <ATen/ATen.h>

namespace qs::mri {

// Geometry in ITK's convention: index (x=W, y=H, z=slice); spacing in mm.
struct Geometry {
  std::array<double, 3> spacing{1.0, 1.0, 1.0};
  std::array<double, 3> origin{0.0, 0.0, 0.0};
  std::array<double, 9> direction{1, 0, 0, 0, 1, 0, 0, 0, 1};  // row-major 3x3
};

struct Volume {
  at::Tensor data;  // (S, H, W), float32 (magnitude) or complex64
  Geometry geometry;
  std::string source;       // path it came from
  std::string format;       // "NIfTI", "MetaImage", "fastMRI HDF5", ...
  long long time_points = 1;  // of the file (4-D inputs); data holds one of them
  long long time_point = 0;
};

struct Scan {
  at::Tensor kspace;  // (S, C, H, W) complex64; C = 1 for single-coil
  bool multicoil = false;
  at::Tensor mask;    // optional: (W) or (H, W) float/bool, 1 = sampled
  at::Tensor target;  // optional: (S, H', W') float32 reconstruction_esc / _rss
  std::string target_name;  // "reconstruction_esc" or "reconstruction_rss"
  std::map<std::string, std::string> attrs;  // string attributes (acquisition, patient_id)
  std::map<std::string, double> numeric_attrs;  // max, norm, acceleration, ...
};

// Throws Error(kInvalidArgument) naming `what` when the tensor holds NaN or Inf.
void check_finite(const at::Tensor& t, const std::string& what);

// "S x H x W" for messages.
std::string shape_string(const at::Tensor& t);

}  // namespace qs::mri
