#include "core/mri/simulate.h"

#include <gtest/gtest.h>

#include "core/common/error.h"
#include "core/mri/fft.h"
#include "tests/core/mri/phantom.h"

namespace qs::mri {
namespace {

at::Tensor volume(int64_t h, int64_t w) { return at::stack({test::ellipse_phantom(h, w), 0.5 * test::ellipse_phantom(h, w).flip(1)}, 0); }

TEST(Simulate, FullySampledSingleCoilReconstructsTheInput) {
  for (auto [h, w] : std::vector<std::pair<int64_t, int64_t>>{{64, 48}, {65, 47}}) {
    const at::Tensor img = volume(h, w);
    for (bool phase : {false, true}) {
      SimulationOptions o;
      o.phase = phase;
      const Scan s = simulate_scan(img, o);
      EXPECT_FALSE(s.multicoil);
      EXPECT_EQ(s.kspace.sizes(), (std::vector<int64_t>{2, 1, h, w}));
      EXPECT_EQ(s.target_name, "reconstruction_esc");
      // |ifft2c(k)| is the input to float32 rounding (values up to 1).
      EXPECT_LT((at::abs(ifft2c(s.kspace.squeeze(1))) - img).abs().max().item<double>(), 2e-6) << h << "x" << w << " phase " << phase;
      EXPECT_LT((s.target - img).abs().max().item<double>(), 2e-6);
      EXPECT_NEAR(s.numeric_attrs.at("max"), img.max().item<double>(), 1e-5);
      if (phase) {
        EXPECT_GT(at::angle(ifft2c(s.kspace)).abs().max().item<double>(), 0.3);  // the phase is really there
      }
    }
  }
}

TEST(Simulate, MultiCoilRssIsTheInput) {
  const at::Tensor img = volume(64, 64);
  SimulationOptions o;
  o.coils = 8;
  const Scan s = simulate_scan(img, o);
  EXPECT_TRUE(s.multicoil);
  EXPECT_EQ(s.kspace.size(1), 8);
  EXPECT_EQ(s.target_name, "reconstruction_rss");
  EXPECT_LT((rss(ifft2c(s.kspace), 1) - img).abs().max().item<double>(), 5e-6);
  const at::Tensor maps = synthetic_coil_maps(8, 64, 64, at::TensorOptions());
  EXPECT_LT((rss(maps, 0) - 1).abs().max().item<double>(), 1e-5);
  // Coils see different parts of the field of view.
  EXPECT_GT((at::abs(maps[0]) - at::abs(maps[4])).abs().max().item<double>(), 0.3);
}

TEST(Simulate, CentreCropFollowsFastMri) {
  const at::Tensor x = at::arange(7 * 9, at::kFloat).view({1, 7, 9});
  const at::Tensor c = center_crop(x, 4, 4);  // from = (7-4)/2 = 1 and (9-4)/2 = 2
  EXPECT_EQ(c[0][0][0].item<float>(), 1 * 9 + 2);
  EXPECT_THROW(center_crop(x, 8, 4), Error);
  const at::Tensor p = center_crop_or_pad(x, 9, 5);
  EXPECT_EQ(p.sizes(), (std::vector<int64_t>{1, 9, 5}));
  EXPECT_EQ(p[0][0][0].item<float>(), 0.f);
  EXPECT_EQ(p[0][1][0].item<float>(), x[0][0][2].item<float>());
}

TEST(Simulate, RejectsNonFiniteImages) {
  at::Tensor img = volume(16, 16);
  img[1][3][4] = std::nanf("");
  try {
    simulate_scan(img, {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("NaN"), std::string::npos);
  }
  EXPECT_THROW(simulate_scan(img[0], {}), Error);  // 2-D where a volume is needed
}

}  // namespace
}  // namespace qs::mri
