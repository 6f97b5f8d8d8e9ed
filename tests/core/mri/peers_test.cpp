// Our MRI engine against real peers on real data: scikit-image's metrics (fastMRI's
// settings), BART's FFT, and the expected quality order on Colin27. Host-only suite: needs
// ITK, Debian's python3-skimage, bart and mricron-data (packaging/install-deps.sh).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "core/mri/fft.h"
#include "core/mri/io/cfl.h"
#include "core/mri/io/volume_io.h"
#include "core/mri/mask.h"
#include "core/mri/metrics.h"
#include "core/mri/recon/recon_method.h"
#include "core/mri/simulate.h"
#include "tests/support/test_support.h"

namespace qs::mri {
namespace {

const char* kColin27 = "/usr/share/mricron/templates/ch2better.nii.gz";

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  EXPECT_EQ(pclose(p), 0) << cmd << "\n" << out;
  return out;
}

Scan colin_slices(int64_t first, int64_t count) {
  const Volume v = read_volume(kColin27);
  return simulate_scan(center_crop(v.data.slice(0, first, first + count), 368, 296).contiguous(), {});
}

// Several real image pairs: Colin27 vs its 4x zero-filled reconstruction, the EPI volume vs a
// noisy copy, and the EPI vs a blurred copy.
std::vector<std::pair<std::string, std::pair<at::Tensor, at::Tensor>>> image_pairs() {
  std::vector<std::pair<std::string, std::pair<at::Tensor, at::Tensor>>> pairs;
  const Scan s = colin_slices(150, 3);
  MaskSpec spec;
  ReconProblem p;
  p.mask = expand_mask(make_mask(spec, 368, 296), 368, 296, at::kCPU);
  p.kspace = apply_mask(s.kspace, p.mask);
  pairs.push_back({"colin27 zero-filled", {s.target, run_recon("zero-filled", p, {})}});
  const at::Tensor epi = read_volume(test::asset("mri/nibabel/example4d.nii.gz")).data.slice(0, 8, 14);
  at::manual_seed(0);
  pairs.push_back({"epi noisy", {epi, (epi + 20.0 * at::randn(epi.sizes())).abs()}});
  pairs.push_back({"epi blurred", {epi, at::avg_pool2d(epi.unsqueeze(1), {3, 3}, {1, 1}, {1, 1}).squeeze(1)}});
  return pairs;
}

TEST(Peers, MetricsMatchScikitImage) {
  test::TempDir dir;
  for (const auto& [name, pair] : image_pairs()) {
    // Exchange through .cfl (float32): both sides then compute on identical values.
    write_cfl(dir.file("t"), pair.first, true);  // the same names for every pair
    write_cfl(dir.file("p"), pair.second, true);
    const at::Tensor t = at::real(read_cfl(dir.file("t"))), pr = at::real(read_cfl(dir.file("p")));
    const VolumeMetrics ours = evaluate_volume(t, pr);
    const auto ref = nlohmann::json::parse(run("/usr/bin/python3 " QS_TEST_SOURCE_DIR "/core/mri/skimage_reference.py " + dir.file("t.cfl") + " " + dir.file("p.cfl")));
    EXPECT_NEAR(ours.psnr, ref["psnr"].get<double>(), 1e-6) << name;
    EXPECT_NEAR(ours.ssim, ref["ssim"].get<double>(), 1e-6) << name;
    EXPECT_NEAR(ours.nmse, ref["nmse"].get<double>(), 1e-6 * ref["nmse"].get<double>()) << name;
    ASSERT_EQ(ref["ssim_slices"].size(), ours.slices.size());
    for (size_t i = 0; i < ours.slices.size(); ++i) EXPECT_NEAR(ours.slices[i].ssim, ref["ssim_slices"][i].get<double>(), 1e-6) << name << " slice " << i;
    std::printf("%-20s PSNR %.6f / %.6f  SSIM %.8f / %.8f  NMSE %.8g / %.8g\n", name.c_str(), ours.psnr, ref["psnr"].get<double>(), ours.ssim,
                ref["ssim"].get<double>(), ours.nmse, ref["nmse"].get<double>());
  }
}

// BART's unitary centred FFT of its own phantom equals our fft2c (even sizes, where BART's
// centring and fastMRI's shifts coincide).
TEST(Peers, BartFftAgreesWithFft2c) {
  test::TempDir dir;
  const std::string ph = dir.file("ph"), k = dir.file("k");
  run("bart phantom -x 64 " + ph + " && bart fft -u 3 " + ph + " " + k);
  const at::Tensor image = read_cfl(ph).squeeze(0), kspace = read_cfl(k).squeeze(0);
  ASSERT_EQ(image.size(0), 64);
  EXPECT_LT((fft2c(image) - kspace).abs().max().item<double>() / kspace.abs().max().item<double>(), 1e-5);
}

TEST(Peers, CompressedSensingBeatsZeroFilledOnColin27) {
  const Scan s = colin_slices(140, 2);
  for (const char* type : {"random", "equispaced"})
    for (double accel : {4.0, 8.0}) {
      MaskSpec spec;
      spec.type = type;
      spec.acceleration = accel;
      ReconProblem p;
      p.mask = expand_mask(make_mask(spec, 368, 296), 368, 296, at::kCPU);
      p.kspace = apply_mask(s.kspace, p.mask);
      const ReconOptions o(std::map<std::string, std::string>{{"iters", "30"}});
      const VolumeMetrics zf = evaluate_volume(s.target, run_recon("zero-filled", p, {}));
      const VolumeMetrics wav = evaluate_volume(s.target, at::abs(run_recon("cs-wavelet", p, o)));
      const VolumeMetrics tv = evaluate_volume(s.target, at::abs(run_recon("cs-tv", p, o)));
      std::printf("%s %gx: PSNR zf %.2f wavelet %.2f tv %.2f | SSIM %.4f %.4f %.4f\n", type, accel, zf.psnr, wav.psnr, tv.psnr, zf.ssim, wav.ssim, tv.ssim);
      EXPECT_GT(wav.psnr, zf.psnr) << type << " " << accel;
      EXPECT_GT(tv.psnr, zf.psnr) << type << " " << accel;
      EXPECT_GT(wav.ssim, zf.ssim) << type << " " << accel;
      EXPECT_GT(tv.ssim, zf.ssim) << type << " " << accel;
    }
}

}  // namespace
}  // namespace qs::mri
