// Plugin recon zero-filled: the inverse centred FFT of the masked k-space, magnitude per coil,
// RSS over coils (fastMRI's run_zero_filled.py; crop is left to the caller).
#include "core/mri/fft.h"
#include "core/mri/recon/recon_method.h"
#include "core/mri/simulate.h"

namespace {

class ZeroFilled : public qs::mri::ReconMethod {
 public:
  std::vector<qs::mri::OptionInfo> options() const override { return {}; }
  at::Tensor reconstruct(const qs::mri::ReconProblem& p, const qs::mri::ReconOptions&, const qs::ProgressFn& progress,
                         const qs::CancelToken& cancel) const override {
    const int64_t slices = p.kspace.size(0);
    std::vector<at::Tensor> out;
    for (int64_t s = 0; s < slices; ++s) {
      cancel.check();
      out.push_back(qs::mri::rss(qs::mri::ifft2c(p.kspace[s]), 0));
      if (progress) progress(s + 1, slices);
    }
    return at::stack(out, 0);
  }
};

const bool registered = [] {
  qs::mri::recon_registry().add("zero-filled", "inverse FFT of the masked k-space, RSS over coils", [] { return std::make_unique<ZeroFilled>(); });
  return true;
}();

}  // namespace
