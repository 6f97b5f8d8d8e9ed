// The Dual-Stage Sampler with tiny, untrained networks (the loop, not the quality): shapes,
// determinism by seed, progress per step, cancellation, the final data consistency pulling the
// result onto the measured lines, and NaN k-space refused.
#include <gtest/gtest.h>

#include "core/common/error.h"
#include "core/mri/diffusion/data_consistency.h"
#include "core/mri/diffusion/dual_stage_sampler.h"
#include "core/mri/fft.h"

namespace qs::mri {
namespace {

struct SamplerCase {
  Vae vae{nullptr};
  LatentUnet unet{nullptr};
  at::Tensor truth, y, mask, sketch;
};

SamplerCase make_case() {
  torch::manual_seed(4);
  SamplerCase s;
  VaeConfig vc;
  vc.base_channels = 8, vc.groups = 4, vc.latent_channels = 2, vc.levels = 3, vc.channel_mult = {1, 2, 2};
  UnetConfig uc;
  uc.latent_channels = 2, uc.base_channels = 8, uc.levels = 2, uc.groups = 4, uc.channel_mult = {1, 2};
  s.vae = Vae(vc), s.unet = LatentUnet(uc);
  const at::Tensor g = at::linspace(-1, 1, 32);
  const at::Tensor r2 = g.pow(2).unsqueeze(1) + g.pow(2).unsqueeze(0);
  s.truth = ((r2 < 0.6).to(at::kFloat) * (0.6 + 0.3 * g.unsqueeze(0))).unsqueeze(0);  // [1, 32, 32]
  s.mask = at::zeros({32});
  for (int64_t c : {0, 3, 7, 12, 14, 15, 16, 17, 18, 21, 26, 30}) s.mask[c] = 1;
  s.y = s.mask * fft2c(s.truth);
  s.sketch = at::abs(ifft2c(s.y)).unsqueeze(1);
  return s;
}

TEST(DualStageSampler, RunsDeterministicallyWithProgressAndCancel) {
  SamplerCase s = make_case();
  const NoiseSchedule base = linear_schedule(1000);
  DualStageOptions o;
  o.steps = 10, o.seed = 9;
  std::vector<long long> seen;
  const at::Tensor a = dual_stage_sample(s.vae, s.unet, base, s.sketch, s.y, s.mask, o, [&](long long done, long long total) {
    seen.push_back(done);
    EXPECT_EQ(total, 10);
  });
  EXPECT_EQ(a.sizes(), (at::IntArrayRef{1, 1, 32, 32}));
  EXPECT_TRUE(at::isfinite(a).all().item<bool>());
  EXPECT_EQ(seen.size(), 10u);
  EXPECT_TRUE(at::equal(a, dual_stage_sample(s.vae, s.unet, base, s.sketch, s.y, s.mask, o)));
  o.seed = 10;
  EXPECT_FALSE(at::equal(a, dual_stage_sample(s.vae, s.unet, base, s.sketch, s.y, s.mask, o)));
  CancelToken cancel;
  try {
    dual_stage_sample(s.vae, s.unet, base, s.sketch, s.y, s.mask, o, [&](long long done, long long) {
      if (done == 3) cancel.cancel();
    }, cancel);
    ADD_FAILURE() << "not cancelled";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kCancelled);
  }
}

TEST(DualStageSampler, TheFinalDataConsistencyHoldsTheMeasuredLines) {
  SamplerCase s = make_case();
  const NoiseSchedule base = linear_schedule(1000);
  DualStageOptions free;
  free.steps = 8, free.dc = DcMode::kNone, free.final_dc = 0;
  DualStageOptions held = free;
  held.dc = DcMode::kHard, held.final_dc = 1;
  const double r_free = data_residual(dual_stage_sample(s.vae, s.unet, base, s.sketch, s.y, s.mask, free).squeeze(1), s.y, s.mask);
  const double r_held = data_residual(dual_stage_sample(s.vae, s.unet, base, s.sketch, s.y, s.mask, held).squeeze(1), s.y, s.mask);
  std::cout << "k-space residual without DC " << r_free << ", with " << r_held << "\n";
  EXPECT_LT(r_held, 0.5 * r_free);
  at::Tensor bad = s.y.clone();
  bad[0][0][0] = c10::complex<float>(NAN, 0);
  EXPECT_THROW(dual_stage_sample(s.vae, s.unet, base, s.sketch, bad, s.mask, held), Error);
}

}  // namespace
}  // namespace qs::mri
