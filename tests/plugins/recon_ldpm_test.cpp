// The ldpm plugin's pipeline with tiny untrained networks (a test of the plumbing, not of
// quality): odd slice sizes padded to the networks' multiple and cropped back, the scale, the
// sketch-only and method-sketch ablations, seeding, progress per sampling step, Cancel, and the
// refusals (missing or mismatched weights, multi-coil data, bad options).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <iostream>

#include "core/common/bundled_models.h"
#include "core/common/error.h"
#include "core/mri/diffusion/sketch.h"
#include "core/mri/diffusion/vae.h"
#include "core/mri/fft.h"
#include "core/mri/io/volume_io.h"
#include "core/mri/mask.h"
#include "core/mri/metrics.h"
#include "core/mri/recon/recon_method.h"
#include "core/mri/simulate.h"
#include "tests/core/mri/phantom.h"
#include "tests/support/test_support.h"

namespace qs::mri {
namespace {

UnetConfig denoiser(int64_t latent) {
  UnetConfig c;
  c.latent_channels = latent, c.base_channels = 8, c.levels = 2, c.groups = 4, c.channel_mult = {1, 2};
  return c;
}

// vae.pt (x2), sketch.pt (x2), unet.pt (x2 over the latent): the networks' multiple is 4.
void write_networks(const std::string& dir, int64_t unet_latent = 2) {
  torch::manual_seed(21);
  VaeConfig vc;
  vc.base_channels = 8, vc.groups = 4, vc.latent_channels = 2, vc.levels = 2, vc.channel_mult = {1, 2};
  Vae vae(vc);
  save_vae(vae, dir + "/vae.pt");
  LatentUnet sketch(sketch_config(8, 2, 4));
  save_unet(sketch, dir + "/sketch.pt");
  LatentUnet unet(denoiser(unet_latent));
  save_unet(unet, dir + "/unet.pt");
}

ReconProblem problem() {
  const Scan s = simulate_scan(at::stack({test::ellipse_phantom(30, 37), 0.5 * test::ellipse_phantom(30, 37)}), {});
  MaskSpec spec;
  spec.acceleration = 4, spec.seed = 3;
  ReconProblem p;
  p.mask = expand_mask(make_mask(spec, 30, 37), 30, 37, s.kspace.device());
  p.kspace = apply_mask(s.kspace, p.mask);
  return p;
}

ReconOptions opts(const std::string& dir, std::map<std::string, std::string> more = {}) {
  more["weights"] = dir;
  if (!more.count("steps")) more["steps"] = "4";
  return ReconOptions(more);
}

TEST(ReconLdpm, RunsOnOddSizesSeededWithProgressAndCancel) {
  qs::test::TempDir dir;
  write_networks(dir.path());
  const ReconProblem p = problem();
  std::vector<std::pair<long long, long long>> calls;
  const at::Tensor a = run_recon("ldpm", p, opts(dir.path()), [&](long long d, long long t) { calls.push_back({d, t}); });
  ASSERT_EQ(a.sizes(), (std::vector<int64_t>{2, 30, 37}));
  EXPECT_TRUE(at::isfinite(a).all().item<bool>());
  EXPECT_GE(a.min().item<double>(), 0.0);
  ASSERT_EQ(calls.size(), 8u);  // 4 steps x 2 slices
  EXPECT_EQ(calls.back(), std::make_pair(8LL, 8LL));
  EXPECT_TRUE(at::equal(a, run_recon("ldpm", p, opts(dir.path()))));
  EXPECT_FALSE(at::equal(a, run_recon("ldpm", p, opts(dir.path(), {{"seed", "1"}}))));
  CancelToken cancel;
  cancel.cancel();
  try {
    run_recon("ldpm", p, opts(dir.path()), nullptr, cancel);
    ADD_FAILURE() << "a cancelled run finished";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kCancelled);
  }
}

TEST(ReconLdpm, SketchOnlyIsTheNetworkOnThePaddedScaledZeroFilledImage) {
  qs::test::TempDir dir;
  write_networks(dir.path());
  const ReconProblem p = problem();
  const at::Tensor got = run_recon("ldpm", p, opts(dir.path(), {{"output", "sketch"}}));
  const at::Tensor zf = at::abs(ifft2c(p.kspace.select(1, 0)));
  const double scale = zf.max().item<double>();
  LatentUnet net = load_unet(dir.file("sketch.pt"));
  torch::NoGradGuard no_grad;
  for (int64_t s = 0; s < 2; ++s) {
    const at::Tensor padded = center_crop_or_pad(zf[s] / scale, 32, 40).view({1, 1, 32, 40});
    const at::Tensor want = center_crop(apply_sketch(net, padded)[0][0], 30, 37).clamp_min(0) * scale;
    EXPECT_TRUE(at::allclose(got[s], want, 1e-5, 1e-6)) << s;
  }
  // A registered method as the sketch: zero-filled's magnitude, unchanged by output=sketch.
  const at::Tensor zf_sketch = run_recon("ldpm", p, opts(dir.path(), {{"output", "sketch"}, {"sketch", "zero-filled"}}));
  EXPECT_TRUE(at::allclose(zf_sketch, zf, 1e-5, 1e-6 * scale));
}

TEST(ReconLdpm, RefusesWhatItCannotRun) {
  qs::test::TempDir dir;
  const ReconProblem p = problem();
  try {
    run_recon("ldpm", p, opts(dir.path()));
    ADD_FAILURE() << "ran without weights";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIo);
    EXPECT_NE(std::string(e.what()).find("train-vae"), std::string::npos) << e.what();
  }
  write_networks(dir.path(), 3);  // a denoiser of 3-channel latents for a 2-channel VAE
  EXPECT_THROW(run_recon("ldpm", p, opts(dir.path())), Error);
  write_networks(dir.path());
  EXPECT_THROW(run_recon("ldpm", p, opts(dir.path(), {{"dc", "sometimes"}})), Error);
  EXPECT_THROW(run_recon("ldpm", p, opts(dir.path(), {{"steps", "0"}})), Error);
  EXPECT_THROW(run_recon("ldpm", p, opts(dir.path(), {{"sketch", "ldpm"}})), Error);
  EXPECT_THROW(run_recon("ldpm", p, opts(dir.path(), {{"temperature", "1"}})), Error);  // not an option of ldpm
  ReconProblem multi = p;
  multi.kspace = at::cat({p.kspace, p.kspace}, 1);
  multi.multicoil = true;
  EXPECT_THROW(run_recon("ldpm", multi, opts(dir.path())), Error);
  ReconProblem nan = p;
  nan.kspace = p.kspace.clone();
  nan.kspace[0][0][3][4] = c10::complex<float>(std::nanf(""), 0.f);
  EXPECT_THROW(run_recon("ldpm", nan, opts(dir.path())), Error);
  ReconProblem narrow = p;
  narrow.mask = p.mask.narrow(1, 0, p.mask.size(1) - 1);  // one column short of the k-space
  EXPECT_THROW(run_recon("ldpm", narrow, opts(dir.path())), Error);
  // A truncated weight file is a format error naming the file, not a crash.
  const auto size = std::filesystem::file_size(dir.file("unet.pt"));
  std::filesystem::resize_file(dir.file("unet.pt"), size / 2);
  try {
    run_recon("ldpm", p, opts(dir.path()));
    ADD_FAILURE() << "ran with a truncated unet.pt";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unet.pt"), std::string::npos) << e.what();
  }
}

// The committed default weights (resources/models/ldpm-colin27, trained on the GPU machine by
// tools/gpu/train-ldpm.sh) load and reconstruct a held-out Colin27 slice on the CPU: far better
// than zero-filling at 8x (measured with 50 steps on the whole slab: 24.9 vs 17.3 dB; here 10
// steps on one slice, so only a clear margin is asked for).
TEST(ReconLdpm, CommittedWeightsReconstructAHeldOutColin27Slice) {
  const std::string weights = qs::resources_root() + "/models/ldpm-colin27";
  for (const char* f : {"vae.pt", "sketch.pt", "unet.pt"}) ASSERT_TRUE(std::filesystem::exists(weights + "/" + f)) << weights << "/" << f;
  const char* colin = "/usr/share/mricron/templates/ch2better.nii.gz";
  if (!std::filesystem::exists(colin)) GTEST_SKIP() << colin << " is missing (mricron-data)";
  const at::Tensor slice = read_volume(colin).data.narrow(0, 160, 1).to(at::kFloat);  // inside the held-out slab 150..169
  const Scan s = simulate_scan(slice, {});
  MaskSpec spec;
  spec.acceleration = 8, spec.seed = 0;
  ReconProblem p;
  p.mask = expand_mask(make_mask(spec, s.kspace.size(2), s.kspace.size(3)), s.kspace.size(2), s.kspace.size(3), s.kspace.device());
  p.kspace = apply_mask(s.kspace, p.mask);
  const double zf = evaluate_volume(s.target, at::abs(run_recon("zero-filled", p, ReconOptions(std::map<std::string, std::string>{})))).psnr;
  const double ldpm = evaluate_volume(s.target, at::abs(run_recon("ldpm", p, ReconOptions(std::map<std::string, std::string>{{"steps", "10"}})))).psnr;
  std::cout << "held-out Colin27 slice 160 at 8x: zero-filled " << zf << " dB, ldpm (10 steps) " << ldpm << " dB\n";
  EXPECT_GT(ldpm, zf + 4.0);
}

}  // namespace
}  // namespace qs::mri
