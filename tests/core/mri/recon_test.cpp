#include "core/mri/recon/recon_method.h"

#include <gtest/gtest.h>

#include "core/common/error.h"
#include "core/mri/fft.h"
#include "core/mri/mask.h"
#include "core/mri/metrics.h"
#include "core/mri/simulate.h"
#include "tests/core/mri/phantom.h"

namespace qs::mri {
namespace {

ReconProblem problem(const Scan& s, const std::string& type, double accel) {
  MaskSpec spec;
  spec.type = type;
  spec.acceleration = accel;
  spec.seed = 11;
  ReconProblem p;
  p.mask = expand_mask(make_mask(spec, s.kspace.size(2), s.kspace.size(3)), s.kspace.size(2), s.kspace.size(3), s.kspace.device());
  p.kspace = apply_mask(s.kspace, p.mask);
  p.multicoil = s.multicoil;
  return p;
}

ReconOptions opts(std::map<std::string, std::string> values) { return ReconOptions(std::move(values)); }

double psnr(const Scan& s, const at::Tensor& recon) { return evaluate_volume(s.target, at::abs(recon)).psnr; }

TEST(Recon, MethodsAreRegisteredPlugins) {
  const auto names = recon_methods();
  for (const char* m : {"zero-filled", "cs-wavelet", "cs-tv"}) EXPECT_NE(std::find(names.begin(), names.end(), m), names.end()) << m;
}

TEST(Recon, FullySampledZeroFilledIsTheTarget) {
  const Scan s = simulate_scan(test::ellipse_phantom(48, 40).unsqueeze(0), {});
  ReconProblem p;
  p.kspace = s.kspace;
  p.mask = at::ones({48, 40}, at::kBool);
  EXPECT_LT((run_recon("zero-filled", p, {}) - s.target).abs().max().item<double>(), 1e-6);
}

TEST(Recon, CompressedSensingBeatsZeroFilledOnThePhantom) {
  // Synthetic data (the Colin27 comparison is in the host suite); 4x random, single-coil.
  const Scan s = simulate_scan(test::ellipse_phantom(96, 96).unsqueeze(0), {});
  const ReconProblem p = problem(s, "random", 4);
  const double zf = psnr(s, run_recon("zero-filled", p, {}));
  const ReconOptions o = opts({{"iters", "40"}});
  const double wav = psnr(s, run_recon("cs-wavelet", p, o));
  const double tv = psnr(s, run_recon("cs-tv", p, o));
  EXPECT_GT(wav, zf + 2) << "zero-filled " << zf;
  EXPECT_GT(tv, zf + 2) << "zero-filled " << zf;
}

TEST(Recon, MultiCoilUsesEstimatedSensitivities) {
  SimulationOptions so;
  so.coils = 6;
  const Scan s = simulate_scan(test::ellipse_phantom(96, 96).unsqueeze(0), so);
  const ReconProblem p = problem(s, "equispaced", 4);
  const double zf = psnr(s, run_recon("zero-filled", p, {}));
  const ReconOptions o = opts({{"iters", "30"}});
  EXPECT_GT(psnr(s, run_recon("cs-wavelet", p, o)), zf + 2);
  EXPECT_GT(psnr(s, run_recon("cs-tv", p, o)), zf + 2);
}

TEST(Recon, ProgressAndCancellation) {
  const Scan s = simulate_scan(test::ellipse_phantom(32, 32).unsqueeze(0), {});
  const ReconProblem p = problem(s, "random", 4);
  for (const char* method : {"cs-wavelet", "cs-tv"}) {
    long long last = 0, total = 0;
    run_recon(method, p, opts({{"iters", "7"}}), [&](long long d, long long t) { last = d, total = t; });
    EXPECT_EQ(last, 7);
    EXPECT_EQ(total, 7);
    CancelToken cancel;
    long long seen = 0;
    try {
      run_recon(method, p, opts({{"iters", "1000"}}), [&](long long d, long long) { if ((seen = d) == 3) cancel.cancel(); }, cancel);
      FAIL() << method << " ran to the end";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kCancelled);
    }
    EXPECT_EQ(seen, 3) << method;
  }
}

TEST(Recon, BadProblemsAndOptionsAreErrors) {
  const Scan s = simulate_scan(test::ellipse_phantom(32, 32).unsqueeze(0), {});
  ReconProblem p = problem(s, "random", 4);
  EXPECT_THROW(run_recon("cs-tv", p, opts({{"lamda", "0.1"}})), Error);  // typo
  EXPECT_THROW(run_recon("cs-tv", p, opts({{"lambda", "abc"}})), Error);
  EXPECT_THROW(run_recon("cs-wavelet", p, opts({{"wavelet", "db9"}})), Error);
  EXPECT_THROW(run_recon("no-such-method", p, {}), Error);
  ReconProblem wrong = p;
  wrong.mask = at::ones({32, 31}, at::kBool);
  EXPECT_THROW(run_recon("zero-filled", wrong, {}), Error);
  ReconProblem nan = p;
  nan.kspace = p.kspace.clone();
  nan.kspace[0][0][3][3] = c10::complex<float>(std::nanf(""), 0);
  EXPECT_THROW(run_recon("cs-wavelet", nan, {}), Error);
}

}  // namespace
}  // namespace qs::mri
