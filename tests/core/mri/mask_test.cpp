#include "core/mri/mask.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/common/error.h"

namespace qs::mri {
namespace {

at::Tensor columns(const at::Tensor& m) { return m.ne(0).any(0); }

TEST(Mask, CentreBlockFollowsFastMriRules) {
  // fastMRI's worked example, W = 368: 4x -> 29 centre lines from column 170; 8x -> 15 from 177.
  EXPECT_EQ(center_line_count(368, 0.08), 29);
  EXPECT_EQ(center_start(368, 29), 170);
  EXPECT_EQ(center_line_count(368, 0.04), 15);
  EXPECT_EQ(center_start(368, 15), 177);
  EXPECT_EQ(center_line_count(25, 0.1), 2);   // 2.5 rounds half to even, as Python's round
  EXPECT_EQ(center_line_count(35, 0.1), 4);   // 3.5 -> 4
  for (const char* type : {"random", "equispaced"})
    for (auto [accel, first, count] : std::vector<std::tuple<double, int64_t, int64_t>>{{4.0, 170, 29}, {8.0, 177, 15}}) {
      MaskSpec s;
      s.type = type;
      s.acceleration = accel;
      s.seed = 7;
      const at::Tensor c = columns(make_mask(s, 640, 368));
      EXPECT_TRUE(c.slice(0, first, first + count).all().item<bool>()) << type << " " << accel;
    }
}

TEST(Mask, RandomHitsTheExpectedLineCount) {
  // Expected sampled columns are exactly W / R: average over many volumes' seeds.
  for (double accel : {4.0, 8.0}) {
    double total = 0;
    const int volumes = 400;
    for (int seed = 0; seed < volumes; ++seed) {
      MaskSpec s;
      s.acceleration = accel;
      s.seed = static_cast<uint64_t>(seed);
      total += columns(make_mask(s, 8, 368)).sum().item<int64_t>();
    }
    const double mean = total / volumes, expected = 368.0 / accel;
    // Binomial s.d. of one mask <= 8 lines; of the mean over 400 <= 0.4.
    EXPECT_NEAR(mean, expected, 1.6) << accel;
  }
}

TEST(Mask, EquispacedCountIsExact) {
  for (uint64_t seed = 0; seed < 16; ++seed) {
    MaskSpec s;
    s.type = "equispaced";
    s.acceleration = 4;
    s.seed = seed;
    const at::Tensor c = columns(make_mask(s, 4, 368));
    // Reconstruct the offset from the first sampled column outside the centre block.
    int64_t offset = -1;
    for (int64_t i = 0; i < 4; ++i)
      if (c[i].item<bool>()) offset = i;
    ASSERT_GE(offset, 0);
    int64_t expected = 0;
    for (int64_t col = 0; col < 368; ++col) expected += ((col - offset) % 4 == 0 && col >= offset) || (col >= 170 && col < 199);
    EXPECT_EQ(c.sum().item<int64_t>(), expected);
  }
}

TEST(Mask, Gaussian2dHitsTheAccelerationExactly) {
  MaskSpec s;
  s.type = "gaussian2d";
  s.acceleration = 6;
  const at::Tensor m = make_mask(s, 96, 128);
  EXPECT_EQ(m.ne(0).sum().item<int64_t>(), std::llround(96.0 * 128.0 / 6.0));
  EXPECT_TRUE(m[48][64].item<float>() == 1.f);  // DC sampled
}

TEST(Mask, SameSeedSameMaskOtherSeedOtherMask) {
  MaskSpec s;
  s.seed = 42;
  const at::Tensor a = make_mask(s, 4, 320), b = make_mask(s, 4, 320);
  EXPECT_TRUE(at::equal(a, b));
  s.seed = 43;
  EXPECT_FALSE(at::equal(a, make_mask(s, 4, 320)));
}

TEST(Mask, MaskingWritesPositiveZero) {
  // k * 0 would give -0.0 for negative entries; the select must not.
  const at::Tensor k = at::complex(-at::ones({2, 4, 6}), -at::ones({2, 4, 6}));
  at::Tensor mask = at::zeros({6});
  mask[2] = 1;
  const at::Tensor out = at::view_as_real(apply_mask(k, mask));
  const at::Tensor zeros = out.index({at::indexing::Slice(), at::indexing::Slice(), at::tensor(std::vector<int64_t>{0, 1, 3, 4, 5})});
  EXPECT_FALSE(at::signbit(zeros).any().item<bool>());
  EXPECT_TRUE(at::equal(out.select(2, 2), at::view_as_real(k).select(2, 2)));
}

TEST(Mask, SizeMismatchIsAnError) {
  const at::Tensor k = at::zeros({1, 1, 8, 10}, at::kComplexFloat);
  try {
    apply_mask(k, at::ones({12}));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("12 columns"), std::string::npos) << e.what();
  }
  EXPECT_THROW(apply_mask(k, at::ones({9, 10})), Error);
  MaskSpec bad;
  bad.acceleration = 0.5;
  EXPECT_THROW(make_mask(bad, 4, 4), Error);
  bad.acceleration = 4;
  bad.type = "spiral";
  EXPECT_THROW(make_mask(bad, 4, 4), Error);
}

}  // namespace
}  // namespace qs::mri
