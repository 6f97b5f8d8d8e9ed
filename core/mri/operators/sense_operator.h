// The forward model every reconstruction is written against: A x = M . fft2c(S_c x), with
// M the sampling mask (H, W) and S_c coil sensitivities (single-coil: S = 1). With
// sum_c |S_c|^2 <= 1 and a unitary fft2c, ||A|| <= 1, so gradient steps of size 1 are safe.
#pragma once
#include <ATen/ATen.h>

namespace qs::mri {

class SenseOperator {
 public:
  // mask: (H, W) bool on the data's device; maps: (C, H, W) complex or undefined (single-coil).
  SenseOperator(at::Tensor mask, at::Tensor maps);
  // x (S, H, W) complex -> (S, C, H, W) masked k-space.
  at::Tensor forward(const at::Tensor& x) const;
  // k (S, C, H, W) -> (S, H, W): sum_c conj(S_c) ifft2c(M k_c).
  at::Tensor adjoint(const at::Tensor& k) const;
  // A^H A x.
  at::Tensor normal(const at::Tensor& x) const { return adjoint(forward(x)); }
  // Hard data consistency (single-coil only): keep measured samples, fill the rest from x.
  at::Tensor replace_measured(const at::Tensor& x, const at::Tensor& measured) const;
  bool single_coil() const { return !maps_.defined(); }
  const at::Tensor& mask() const { return mask_; }

 private:
  at::Tensor mask_;
  at::Tensor maps_;
};

// Sensitivity maps from the fully sampled centre columns of k-space (S, C, H, W):
// low-resolution coil images (Hann-windowed ACS), normalised by their RSS; the per-slice
// maps are (S, C, H, W), one set per slice; sum_c |S_c|^2 <= 1.
at::Tensor estimate_coil_maps(const at::Tensor& kspace, const at::Tensor& mask);

// Conjugate gradient for a Hermitian positive-definite operator, starting from x0.
// Re<a, b> = Re sum conj(a) b, as a 0-dim real tensor (no host sync inside the loop).
inline at::Tensor real_inner(const at::Tensor& a, const at::Tensor& b) { return at::real(a.conj() * b).sum(); }

template <typename Op>
at::Tensor conjugate_gradient(const Op& op, const at::Tensor& rhs, at::Tensor x, int iterations) {
  at::Tensor r = rhs - op(x);
  at::Tensor p = r.clone();
  at::Tensor rs = real_inner(r, r);
  for (int i = 0; i < iterations; ++i) {
    const at::Tensor ap = op(p);
    const at::Tensor alpha = rs / real_inner(p, ap).clamp_min(1e-30);
    x = x + alpha * p;
    r = r - alpha * ap;
    const at::Tensor rs_new = real_inner(r, r);
    p = r + (rs_new / rs.clamp_min(1e-30)) * p;
    rs = rs_new;
  }
  return x;
}

}  // namespace qs::mri
