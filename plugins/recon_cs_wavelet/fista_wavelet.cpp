// Plugin recon cs-wavelet: min_x 1/2 ||A x - y||^2 + lambda ||W x||_1 by FISTA, W an
// orthonormal Daubechies wavelet (Haar = db1 by default) with a random circular shift per
// iteration (cycle spinning, which removes the blockiness of a fixed decimated transform).
// All coefficients are shrunk, the coarse band included, as in BART. Defaults (Haar, one
// level) are what measured best on Colin27 and the EPI volume (docs/results/mri-classical.md:
// deeper decompositions and an unshrunk coarse band leave low-frequency aliasing in place).
// Single-coil results end with hard data consistency (measured samples put back). lambda is
// relative to data scaled so the zero-filled 99th percentile is 1.
#include <cmath>
#include <random>

#include "core/mri/operators/sense_operator.h"
#include "core/mri/operators/wavelet.h"
#include "core/mri/recon/recon_method.h"

namespace {

using namespace qs::mri;

class FistaWavelet : public ReconMethod {
 public:
  std::vector<OptionInfo> options() const override {
    return {{"lambda", "0.005", "l1 weight on wavelet details (on normalised data)"},
            {"iters", "100", "FISTA iterations"},
            {"wavelet", "haar", "haar (= db1), db2, db3 or db4"},
            {"levels", "1", "decomposition levels (0: down to an 8-pixel coarse band, at most 6)"},
            {"cycle-spin", "1", "random circular shift each iteration (0 or 1)"},
            {"hard-dc", "1", "put the measured samples back at the end (single-coil; 0 or 1)"},
            {"momentum", "1", "FISTA momentum (1) or plain ISTA (0)"},
            {"shrink-coarse", "1", "shrink the coarsest approximation band too (as BART does; 0 or 1)"},
            {"scale", "0", "data scale (0: automatic)"},
            {"seed", "0", "cycle-spinning random seed"}};
  }

  at::Tensor reconstruct(const ReconProblem& p, const ReconOptions& o, const qs::ProgressFn& progress,
                         const qs::CancelToken& cancel) const override {
    const double lambda = o.number_at_least("lambda", 0.005, 0.0);
    const long long iters = o.integer("iters", 100);
    const int64_t h = p.kspace.size(2), w = p.kspace.size(3);
    long long levels = o.integer("levels", 1);
    if (levels == 0) levels = Wavelet2d::levels_for(h, w, 8, 6);
    const Wavelet2d wav(o.text("wavelet", "haar"), static_cast<int>(levels));
    const bool spin = o.integer("cycle-spin", 1) != 0;
    const bool momentum = o.integer("momentum", 1) != 0;
    const double scale = data_scale(p, o.number_at_least("scale", 0, 0.0));
    std::mt19937_64 rng(static_cast<uint64_t>(o.integer("seed", 0)));
    std::uniform_int_distribution<int64_t> shift(0, (int64_t{1} << levels) - 1);

    const SenseOperator a = sense_operator_for(p);
    const at::Tensor y = p.kspace / scale;
    at::Tensor details = wav.detail_mask(h, w, y.device());
    if (o.integer("shrink-coarse", 1) != 0) details.fill_(true);

    at::Tensor x = a.adjoint(y), z = x;
    double t = 1.0;
    for (long long it = 0; it < iters; ++it) {
      cancel.check();
      const at::Tensor r = z - a.adjoint(a.forward(z) - y);  // gradient step, size 1 (||A|| <= 1)
      const int64_t dy = spin ? shift(rng) : 0, dx = spin ? shift(rng) : 0;
      const at::Tensor c = wav.forward(at::roll(r, {dy, dx}, {-2, -1}));
      const at::Tensor shrunk = at::where(details, soft_threshold(c, lambda), c);
      const at::Tensor x_new = at::roll(wav.inverse(shrunk, h, w), {-dy, -dx}, {-2, -1});
      const double t_new = 0.5 * (1.0 + std::sqrt(1.0 + 4.0 * t * t));
      z = momentum ? x_new + ((t - 1.0) / t_new) * (x_new - x) : x_new;
      x = x_new;
      t = t_new;
      if (progress) progress(it + 1, iters);
    }
    if (a.single_coil() && o.integer("hard-dc", 1) != 0) x = a.replace_measured(x, y);
    return x * scale;
  }
};

const bool registered = [] {
  recon_registry().add("cs-wavelet", "FISTA, l1 on orthonormal Daubechies wavelets with cycle spinning", [] { return std::make_unique<FistaWavelet>(); });
  return true;
}();

}  // namespace
