// Orthonormal 2-D discrete wavelet transform (Daubechies family, periodic boundaries) over the
// last two axes, in the packed layout: after each level the top-left quadrant holds the
// approximation and the other three the details. Sizes are zero-padded up to a multiple of
// 2^levels, so forward then inverse returns the input exactly (to float rounding).
#pragma once
#include <string>
#include <vector>

#include <ATen/ATen.h>

namespace qs::mri {

class Wavelet2d {
 public:
  // name: haar (= db1), db2, db3, db4. levels >= 1.
  Wavelet2d(const std::string& name, int levels);
  at::Tensor forward(const at::Tensor& x) const;  // (..., H, W) -> (..., H', W') padded
  at::Tensor inverse(const at::Tensor& c, int64_t height, int64_t width) const;
  // (H', W') bool: true on detail coefficients, false on the coarsest approximation band.
  at::Tensor detail_mask(int64_t height, int64_t width, const at::Device& device) const;
  int levels() const { return levels_; }
  const std::vector<double>& lowpass() const { return h_; }
  const std::vector<double>& highpass() const { return g_; }
  // Largest level count whose coarsest band keeps at least `min_size` samples on each side.
  static int levels_for(int64_t height, int64_t width, int64_t min_size = 16, int max_levels = 4);

 private:
  at::Tensor analyse(const at::Tensor& x, int64_t dim) const;
  at::Tensor synthesise(const at::Tensor& c, int64_t dim) const;
  int64_t padded(int64_t n) const;
  std::vector<double> h_, g_;
  int levels_;
};

// Complex soft threshold z * max(|z| - t, 0) / |z| (real input works too).
at::Tensor soft_threshold(const at::Tensor& z, double t);

}  // namespace qs::mri
