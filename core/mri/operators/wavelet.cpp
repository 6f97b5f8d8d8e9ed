#include "core/mri/operators/wavelet.h"

#include "core/common/error.h"

namespace qs::mri {

namespace {

// Daubechies reconstruction low-pass filters (orthonormal: sum h = sqrt 2, sum h^2 = 1).
std::vector<double> daubechies(const std::string& name) {
  if (name == "haar" || name == "db1") return {0.7071067811865476, 0.7071067811865476};
  if (name == "db2") return {0.48296291314453416, 0.8365163037378079, 0.2241438680420134, -0.12940952255126037};
  if (name == "db3")
    return {0.3326705529509569, 0.8068915093133388, 0.4598775021193313, -0.13501102001039084, -0.08544127388224149, 0.035226291882100656};
  if (name == "db4")
    return {0.23037781330885523, 0.7148465705525415, 0.6308807679295904, -0.02798376941698385,
            -0.18703481171888114, 0.030841381835986965, 0.032883011666982945, -0.010597401784997278};
  fail(ErrorKind::kInvalidArgument, "unknown wavelet '" + name + "' (haar, db2, db3, db4)");
}

}  // namespace

Wavelet2d::Wavelet2d(const std::string& name, int levels) : h_(daubechies(name)), levels_(levels) {
  if (levels < 1 || levels > 10) fail(ErrorKind::kInvalidArgument, "wavelet levels must be 1..10");
  const size_t n = h_.size();
  g_.resize(n);
  for (size_t k = 0; k < n; ++k) g_[k] = ((k % 2) ? -1.0 : 1.0) * h_[n - 1 - k];  // alternating flip
}

int Wavelet2d::levels_for(int64_t height, int64_t width, int64_t min_size, int max_levels) {
  int l = 1;
  while (l < max_levels && std::min(height, width) / (int64_t{1} << (l + 1)) >= min_size) ++l;
  return l;
}

int64_t Wavelet2d::padded(int64_t n) const {
  const int64_t block = int64_t{1} << levels_;
  return (n + block - 1) / block * block;
}

// One level along `dim` (even length N): a[n] = sum_k h[k] x[2n+k mod N], d likewise with g;
// returns [a, d] concatenated along dim.
at::Tensor Wavelet2d::analyse(const at::Tensor& x, int64_t dim) const {
  const int64_t n = x.size(dim);
  at::Tensor a, d;
  for (size_t k = 0; k < h_.size(); ++k) {
    const at::Tensor even = at::roll(x, {-static_cast<int64_t>(k)}, {dim}).slice(dim, 0, n, 2);
    a = a.defined() ? a + h_[k] * even : h_[k] * even;
    d = d.defined() ? d + g_[k] * even : g_[k] * even;
  }
  return at::cat({a, d}, dim);
}

// The adjoint (= inverse, the transform being orthonormal) of analyse.
at::Tensor Wavelet2d::synthesise(const at::Tensor& c, int64_t dim) const {
  const int64_t n = c.size(dim), half = n / 2;
  const at::Tensor a = c.narrow(dim, 0, half), d = c.narrow(dim, half, half);
  at::Tensor x = at::zeros_like(c);
  for (size_t k = 0; k < h_.size(); ++k) {
    at::Tensor up = at::zeros_like(c);
    up.slice(dim, 0, n, 2).copy_(h_[k] * a + g_[k] * d);
    x = x + at::roll(up, {static_cast<int64_t>(k)}, {dim});
  }
  return x;
}

at::Tensor Wavelet2d::forward(const at::Tensor& x) const {
  const int64_t h = x.size(-2), w = x.size(-1), ph = padded(h), pw = padded(w);
  at::Tensor c = x;
  if (ph != h || pw != w) c = at::constant_pad_nd(x, {0, pw - w, 0, ph - h}, 0);
  else c = c.clone();
  int64_t ch = ph, cw = pw;
  for (int l = 0; l < levels_; ++l) {
    at::Tensor band = c.narrow(-2, 0, ch).narrow(-1, 0, cw);
    band.copy_(analyse(analyse(band, -1), -2));
    ch /= 2, cw /= 2;
  }
  return c;
}

at::Tensor Wavelet2d::inverse(const at::Tensor& coeffs, int64_t height, int64_t width) const {
  at::Tensor c = coeffs.clone();
  const int64_t ph = c.size(-2), pw = c.size(-1);
  for (int l = levels_ - 1; l >= 0; --l) {
    const int64_t ch = ph >> l, cw = pw >> l;
    at::Tensor band = c.narrow(-2, 0, ch).narrow(-1, 0, cw);
    band.copy_(synthesise(synthesise(band, -2), -1));
  }
  return c.narrow(-2, 0, height).narrow(-1, 0, width);
}

at::Tensor Wavelet2d::detail_mask(int64_t height, int64_t width, const at::Device& device) const {
  const int64_t ph = padded(height), pw = padded(width);
  at::Tensor m = at::ones({ph, pw}, at::TensorOptions().dtype(at::kBool).device(device));
  m.narrow(0, 0, ph >> levels_).narrow(1, 0, pw >> levels_).fill_(false);
  return m;
}

at::Tensor soft_threshold(const at::Tensor& z, double t) {
  const at::Tensor mag = at::abs(z);
  return z * at::clamp_min(1.0 - t / mag.clamp_min(1e-30), 0.0);
}

}  // namespace qs::mri
