#include "core/mri/fft.h"

#include <gtest/gtest.h>

#include <cmath>
#include <complex>

namespace qs::mri {
namespace {

// fastMRI's definition written out element by element: shifts as index arithmetic and a
// direct O(N^2) DFT, for small sizes.
at::Tensor reference_fft2c(const at::Tensor& x, bool inverse) {
  const int64_t h = x.size(0), w = x.size(1);
  const auto in = x.to(at::kComplexDouble).contiguous();
  const auto* p = reinterpret_cast<const std::complex<double>*>(in.data_ptr());
  at::Tensor out = at::zeros({h, w}, at::kComplexDouble);
  auto* q = reinterpret_cast<std::complex<double>*>(out.data_ptr());
  const double sign = inverse ? 1.0 : -1.0;
  // ifftshift: y[i] = x[(i + n/2) mod n];  fftshift: z[i] = y[(i - n/2) mod n] = y[(i + (n+1)/2) mod n]
  for (int64_t u = 0; u < h; ++u)
    for (int64_t v = 0; v < w; ++v) {
      const int64_t fu = (u + (h + 1) / 2) % h, fv = (v + (w + 1) / 2) % w;  // fftshift of the output index
      std::complex<double> acc = 0;
      for (int64_t i = 0; i < h; ++i)
        for (int64_t j = 0; j < w; ++j) {
          const std::complex<double> xv = p[((i + h / 2) % h) * w + (j + w / 2) % w];  // ifftshift of the input
          const double phase = sign * 2.0 * M_PI * (static_cast<double>(fu * i) / h + static_cast<double>(fv * j) / w);
          acc += xv * std::polar(1.0, phase);
        }
      q[u * w + v] = acc / std::sqrt(static_cast<double>(h * w));
    }
  return out;
}

TEST(Fft, ShiftsDifferForOddSizes) {
  const at::Tensor x = at::arange(5, at::kFloat).view({1, 5});
  EXPECT_TRUE(at::equal(fftshift2(x).flatten(), at::tensor({3.f, 4.f, 0.f, 1.f, 2.f})));
  EXPECT_TRUE(at::equal(ifftshift2(x).flatten(), at::tensor({2.f, 3.f, 4.f, 0.f, 1.f})));
  EXPECT_TRUE(at::equal(ifftshift2(fftshift2(x)), x));
}

TEST(Fft, MatchesTheDefinitionForEvenAndOddSizes) {
  at::manual_seed(1);
  for (auto [h, w] : std::vector<std::pair<int64_t, int64_t>>{{4, 6}, {5, 7}, {6, 5}, {9, 8}}) {
    const at::Tensor x = at::randn({h, w}, at::kComplexFloat);
    EXPECT_LT((fft2c(x).to(at::kComplexDouble) - reference_fft2c(x, false)).abs().max().item<double>(), 1e-5) << h << "x" << w;
    EXPECT_LT((ifft2c(x).to(at::kComplexDouble) - reference_fft2c(x, true)).abs().max().item<double>(), 1e-5) << h << "x" << w;
  }
}

TEST(Fft, UnitaryAndMutuallyInverse) {
  at::manual_seed(2);
  for (auto [h, w] : std::vector<std::pair<int64_t, int64_t>>{{64, 48}, {63, 47}, {320, 320}, {217, 181}}) {
    const at::Tensor x = at::randn({3, h, w}, at::kComplexFloat);
    const at::Tensor k = fft2c(x);
    EXPECT_NEAR(k.abs().pow(2).sum().item<double>() / x.abs().pow(2).sum().item<double>(), 1.0, 1e-5) << h << "x" << w;
    EXPECT_LT((ifft2c(k) - x).abs().max().item<double>(), 1e-5) << h << "x" << w;
    EXPECT_LT((fft2c(ifft2c(x)) - x).abs().max().item<double>(), 1e-5) << h << "x" << w;
  }
}

TEST(Fft, DcSitsAtTheCentre) {
  for (int64_t n : {8, 9}) {
    const at::Tensor k = fft2c(at::ones({n, n}));
    EXPECT_NEAR(at::abs(k[n / 2][n / 2]).item<double>(), static_cast<double>(n), 1e-4);
    EXPECT_NEAR(at::abs(k).sum().item<double>(), static_cast<double>(n), 1e-3);
  }
}

}  // namespace
}  // namespace qs::mri
