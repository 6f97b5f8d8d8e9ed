// The MRI engine on CUDA tensors gives the CPU's answers (GPU build only).
#include <gtest/gtest.h>

#include "core/mri/fft.h"
#include "core/mri/mask.h"
#include "core/mri/metrics.h"
#include "core/mri/recon/recon_method.h"
#include "core/mri/simulate.h"
#include "tests/core/mri/phantom.h"

namespace qs::mri {
namespace {

TEST(CudaMri, CentredFftMatchesCpuForOddAndEvenSizes) {
  at::manual_seed(1);
  for (auto [h, w] : std::vector<std::pair<int64_t, int64_t>>{{64, 48}, {63, 47}, {217, 181}}) {
    const at::Tensor x = at::randn({2, h, w}, at::kComplexFloat);
    EXPECT_LT((fft2c(x.cuda()).cpu() - fft2c(x)).abs().max().item<double>(), 1e-4) << h << "x" << w;
    EXPECT_LT((ifft2c(fft2c(x.cuda())).cpu() - x).abs().max().item<double>(), 1e-5) << h << "x" << w;
  }
}

TEST(CudaMri, MaskingWritesPositiveZeroOnTheGpu) {
  const at::Tensor k = at::complex(-at::ones({1, 1, 8, 8}), -at::ones({1, 1, 8, 8})).cuda();
  at::Tensor mask = at::zeros({8});
  mask[3] = 1;
  const at::Tensor out = at::view_as_real(apply_mask(k, mask)).cpu();
  EXPECT_EQ(at::signbit(out).sum().item<int64_t>(), 16);  // only column 3 keeps its -1 values
}

TEST(CudaMri, ReconstructionsMatchCpu) {
  for (int64_t coils : {1, 4}) {
    SimulationOptions so;
    so.coils = coils;
    const Scan s = simulate_scan(at::stack({test::ellipse_phantom(96, 80), test::ellipse_phantom(96, 80).flip(0)}), so);
    MaskSpec spec;
    spec.seed = 3;
    ReconProblem cpu;
    cpu.mask = expand_mask(make_mask(spec, 96, 80), 96, 80, at::kCPU);
    cpu.kspace = apply_mask(s.kspace, cpu.mask);
    cpu.multicoil = coils > 1;
    ReconProblem gpu = cpu;
    gpu.mask = cpu.mask.cuda();
    gpu.kspace = cpu.kspace.cuda();
    for (const char* method : {"zero-filled", "cs-wavelet", "cs-tv"}) {
      const ReconOptions o = std::string(method) == "zero-filled" ? ReconOptions() : ReconOptions(std::map<std::string, std::string>{{"iters", "20"}});
      const at::Tensor a = at::abs(run_recon(method, cpu, o)), b = at::abs(run_recon(method, gpu, o)).cpu();
      EXPECT_LT((a - b).abs().max().item<double>() / a.abs().max().item<double>(), 1e-3) << method << " coils " << coils;
      EXPECT_NEAR(evaluate_volume(s.target, a).psnr, evaluate_volume(s.target, b).psnr, 0.01) << method << " coils " << coils;
    }
  }
}

}  // namespace
}  // namespace qs::mri
