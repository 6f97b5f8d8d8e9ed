// run_study, the loop `mri compare` and the MRI workspace share: each run equals the method
// called by hand on the same masked k-space; chunks change nothing for a per-slice method;
// progress rises to 1; Cancel and bad requests are errors.
#include "core/mri/study.h"

#include <gtest/gtest.h>

#include "core/common/error.h"
#include "core/mri/simulate.h"
#include "tests/core/mri/phantom.h"

namespace qs::mri {
namespace {

ReconOptions iters20() { return ReconOptions(std::map<std::string, std::string>{{"iters", "20"}}); }

Scan three_slices() {
  return simulate_scan(at::stack({test::ellipse_phantom(32, 40), 0.7 * test::ellipse_phantom(32, 40), 0.4 * test::ellipse_phantom(32, 40).flip(1)}), {});
}

TEST(Study, EachRunIsTheMethodOnTheMaskedKspace) {
  const Scan scan = three_slices();
  MaskSpec random, equi;
  random.acceleration = 4, random.seed = 2;
  equi.type = "equispaced", equi.acceleration = 4;
  std::vector<double> seen;
  const auto runs = run_study(scan, {random, equi}, {{"zero-filled", {}}, {"cs-tv", iters20()}}, StudyOptions{0, true},
                              [&](double f, const std::string&) { seen.push_back(f); }, CancelToken());
  ASSERT_EQ(runs.size(), 4u);  // mask-major: random zf, random tv, equi zf, equi tv
  EXPECT_EQ(runs[1].method, "cs-tv");
  EXPECT_EQ(runs[2].mask.type, "equispaced");
  for (const auto& r : runs) {
    ReconProblem p;
    p.mask = expand_mask(make_mask(r.mask, 32, 40), 32, 40, at::kCPU);
    p.kspace = apply_mask(scan.kspace, p.mask);
    const ReconOptions o = r.method == "cs-tv" ? iters20() : ReconOptions();
    const at::Tensor want = at::abs(run_recon(r.method, p, o));
    EXPECT_TRUE(at::allclose(r.image, want, 1e-5, 1e-6)) << r.method << " " << r.mask.type;
    EXPECT_DOUBLE_EQ(r.metrics.psnr, evaluate_volume(scan.target, r.image).psnr);
    EXPECT_DOUBLE_EQ(r.sampled_fraction, sampled_fraction(p.mask));
    EXPECT_DOUBLE_EQ(r.metrics.data_range, scan.target.max().item<double>());
  }
  ASSERT_FALSE(seen.empty());
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_GE(seen[i], seen[i - 1]);
  EXPECT_DOUBLE_EQ(seen.back(), 1.0);

  // Chunks of one slice give the same zero-filled images (a per-slice method) and metrics.
  const auto chunked = run_study(scan, {random}, {{"zero-filled", {}}}, StudyOptions{1, true}, nullptr, CancelToken());
  EXPECT_TRUE(at::equal(chunked[0].image, runs[0].image));
  EXPECT_DOUBLE_EQ(chunked[0].metrics.ssim, runs[0].metrics.ssim);
  EXPECT_FALSE(run_study(scan, {random}, {{"zero-filled", {}}}, StudyOptions{}, nullptr, CancelToken())[0].image.defined());  // not kept
}

TEST(Study, CancelAndBadRequestsAreErrors) {
  const Scan scan = three_slices();
  MaskSpec m;
  CancelToken cancel;
  cancel.cancel();
  try {
    run_study(scan, {m}, {{"zero-filled", {}}}, StudyOptions{}, nullptr, cancel);
    ADD_FAILURE() << "ran after Cancel";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kCancelled);
  }
  EXPECT_THROW(run_study(scan, {}, {{"zero-filled", {}}}, StudyOptions{}, nullptr, CancelToken()), Error);
  EXPECT_THROW(run_study(scan, {m}, {{"no-such-method", {}}}, StudyOptions{}, nullptr, CancelToken()), Error);
  Scan no_target = scan;
  no_target.target = at::Tensor();
  EXPECT_THROW(run_study(no_target, {m}, {{"zero-filled", {}}}, StudyOptions{}, nullptr, CancelToken()), Error);
}

}  // namespace
}  // namespace qs::mri
