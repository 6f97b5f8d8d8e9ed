// Plugin recon cs-tv: min_x 1/2 ||A x - y||^2 + lambda TV_iso(x) by ADMM on the split z = D x
// (D periodic forward differences). The x-update (A^H A + rho D^H D) x = A^H y + rho D^H (z - u)
// is diagonal in centred k-space for single-coil data and solved exactly there; multi-coil
// data use warm-started conjugate gradients. lambda is relative to data scaled so the
// zero-filled 99th percentile is 1.
#include "core/mri/fft.h"
#include "core/mri/operators/finite_difference.h"
#include "core/mri/operators/sense_operator.h"
#include "core/mri/recon/recon_method.h"

namespace {

using namespace qs::mri;

class AdmmTv : public ReconMethod {
 public:
  std::vector<OptionInfo> options() const override {
    return {{"lambda", "0.005", "isotropic TV weight (on normalised data)"},
            {"iters", "100", "ADMM iterations"},
            {"rho", "0", "ADMM penalty (0: 10 x lambda)"},
            {"cg-iters", "10", "conjugate-gradient steps per x-update (multi-coil)"},
            {"scale", "0", "data scale (0: automatic)"}};
  }

  at::Tensor reconstruct(const ReconProblem& p, const ReconOptions& o, const qs::ProgressFn& progress,
                         const qs::CancelToken& cancel) const override {
    const double lambda = o.number_at_least("lambda", 0.005, 0.0);
    // rho near lambda converges in tens of iterations; BART's fixed 0.5 needs hundreds at
    // lambda ~ 0.005 on normalised data (measured, docs/results/mri-classical.md).
    const double rho_given = o.number_at_least("rho", 0, 0.0);
    const double rho = rho_given > 0 ? rho_given : (lambda > 0 ? 10.0 * lambda : 0.05);
    if (!(rho > 0)) qs::fail(qs::ErrorKind::kInvalidArgument, "rho must be > 0");
    const long long iters = o.integer("iters", 100), cg_iters = o.integer("cg-iters", 10);
    const double scale = data_scale(p, o.number_at_least("scale", 0, 0.0));
    const int64_t h = p.kspace.size(2), w = p.kspace.size(3);

    const SenseOperator a = sense_operator_for(p);
    const at::Tensor y = p.kspace / scale;
    const at::Tensor aty = a.adjoint(y);
    // Single-coil: (M + rho L) in centred k-space, L the eigenvalues of D^H D.
    const at::Tensor denom = (p.mask.to(at::kFloat) + rho * gradient_normal_eigenvalues(h, w, y.options())).clamp_min(1e-12);
    const at::Tensor measured = at::where(p.mask, y.squeeze(1), at::zeros({}, y.options()));

    at::Tensor x = aty;
    at::Tensor z = forward_difference(x), u = at::zeros_like(z);
    const auto normal = [&](const at::Tensor& v) { return a.normal(v) + rho * forward_difference_adjoint(forward_difference(v)); };
    for (long long it = 0; it < iters; ++it) {
      cancel.check();
      const at::Tensor rhs_tv = rho * forward_difference_adjoint(z - u);
      if (a.single_coil()) x = ifft2c((measured + fft2c(rhs_tv)) / denom);
      else x = conjugate_gradient(normal, aty + rhs_tv, x, static_cast<int>(cg_iters));
      const at::Tensor dx = forward_difference(x);
      z = shrink_isotropic(dx + u, lambda / rho);
      u = u + dx - z;
      if (progress) progress(it + 1, iters);
    }
    return x * scale;
  }
};

const bool registered = [] {
  recon_registry().add("cs-tv", "ADMM, isotropic total variation", [] { return std::make_unique<AdmmTv>(); });
  return true;
}();

}  // namespace
