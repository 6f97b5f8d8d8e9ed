#include "core/mri/operators/wavelet.h"

#include <gtest/gtest.h>

#include <cmath>

namespace qs::mri {
namespace {

double rel_err(const at::Tensor& a, const at::Tensor& b) { return ((a - b).abs().max() / b.abs().max()).item<double>(); }

TEST(Wavelet, DaubechiesFiltersAreOrthonormalWithVanishingMoments) {
  for (const auto& [name, moments] : std::vector<std::pair<std::string, int>>{{"haar", 1}, {"db2", 2}, {"db3", 3}, {"db4", 4}}) {
    const Wavelet2d w(name, 1);
    const auto& h = w.lowpass();
    const auto& g = w.highpass();
    double sum = 0;
    for (double v : h) sum += v;
    EXPECT_NEAR(sum, std::sqrt(2.0), 1e-12) << name;
    for (size_t shift = 0; shift < h.size(); shift += 2) {
      double dot = 0;
      for (size_t k = 0; k + shift < h.size(); ++k) dot += h[k] * h[k + shift];
      EXPECT_NEAR(dot, shift == 0 ? 1.0 : 0.0, 1e-10) << name << " shift " << shift;
    }
    for (int m = 0; m < moments; ++m) {  // the high-pass filter annihilates polynomials of degree < moments
      double acc = 0;
      for (size_t k = 0; k < g.size(); ++k) acc += g[k] * std::pow(static_cast<double>(k), m);
      EXPECT_NEAR(acc, 0.0, 1e-9) << name << " moment " << m;
    }
  }
}

TEST(Wavelet, ForwardInverseIsIdentityAndPreservesEnergy) {
  at::manual_seed(3);
  for (const char* name : {"haar", "db2", "db4"})
    for (auto [h, w, levels] : std::vector<std::tuple<int64_t, int64_t, int>>{{64, 48, 3}, {37, 50, 2}, {368, 296, 4}}) {
      const Wavelet2d wav(name, levels);
      const at::Tensor x = at::randn({2, h, w}, at::kComplexFloat);
      const at::Tensor c = wav.forward(x);
      EXPECT_LT(rel_err(wav.inverse(c, h, w), x), 1e-5) << name << " " << h << "x" << w;
      // Orthonormal: the coefficient energy equals the (zero-padded) image energy.
      EXPECT_NEAR(c.abs().pow(2).sum().item<double>() / x.abs().pow(2).sum().item<double>(), 1.0, 1e-5) << name;
    }
}

TEST(Wavelet, SmoothImagesHaveSmallDetails) {
  // A linear ramp is annihilated by db2's details away from the periodic wrap.
  const int64_t n = 64;
  const at::Tensor ramp = at::arange(n, at::kFloat).view({1, n}).expand({n, n}).contiguous();
  const Wavelet2d wav("db2", 1);
  const at::Tensor c = wav.forward(ramp);
  const at::Tensor detail_interior = c.narrow(0, 0, n / 2).narrow(1, n / 2, n / 2 - 2);
  EXPECT_LT(detail_interior.abs().max().item<double>(), 1e-3);
}

TEST(Wavelet, SoftThresholdShrinksComplexMagnitudes) {
  const at::Tensor z = at::tensor({c10::complex<float>(3, 4), c10::complex<float>(0.3f, 0.4f)});
  const at::Tensor s = soft_threshold(z, 1.0);
  EXPECT_NEAR(at::abs(s[0]).item<double>(), 4.0, 1e-6);
  EXPECT_NEAR(at::angle(s[0]).item<double>(), std::atan2(4.0, 3.0), 1e-6);
  EXPECT_EQ(at::abs(s[1]).item<double>(), 0.0);
}

}  // namespace
}  // namespace qs::mri
