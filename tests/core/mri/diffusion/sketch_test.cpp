// LDPM's fidelity step and the UNet weight file: the undersampling of training pairs keeps
// exactly the masked lines and draws a mask per item; the sketch trainer learns on Colin27's
// training slices (the loss falls, the held-out sketch improves on its own start) and resumes bit
// for bit; UNet weight files load bit-exact and refuse another network's file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/common/error.h"
#include "core/mri/diffusion/sketch_trainer.h"
#include "core/mri/diffusion/slice_split.h"
#include "core/mri/diffusion/vae.h"
#include "core/mri/fft.h"
#include "core/mri/io/volume_io.h"
#include "tests/support/test_support.h"

namespace qs::mri {
namespace {

const char* kColin27 = "/usr/share/mricron/templates/ch2better.nii.gz";

TEST(Sketch, UndersamplingKeepsTheMaskedLinesWithAMaskPerItem) {
  torch::manual_seed(4);
  const at::Tensor x = at::rand({6, 1, 32, 40});
  at::Generator gen = at::detail::createCPUGenerator(9);
  const Undersampled u = undersample(x, mask_choices({"random", "equispaced"}, {4, 8}), gen);
  ASSERT_EQ(u.kspace.sizes(), (std::vector<int64_t>{6, 32, 40}));
  const at::Tensor full = fft2c(x.select(1, 0));
  EXPECT_TRUE(at::allclose(u.kspace, full * u.mask));
  EXPECT_TRUE(at::allclose(u.zero_filled.select(1, 0), at::abs(ifft2c(u.kspace)), 1e-5, 1e-6));
  bool differ = false;
  for (int64_t b = 0; b < 6; ++b) {
    const double kept = u.mask[b].mean().item<double>();
    EXPECT_GT(kept, 0.08) << b;  // at least 8x's share, centre lines included
    EXPECT_LT(kept, 0.45) << b;  // at most about 4x's
    differ = differ || !at::equal(u.mask[b], u.mask[0]);
  }
  EXPECT_TRUE(differ);
  MaskSpec two_d;
  two_d.type = "gaussian2d";
  EXPECT_THROW(undersample(x, two_d), Error);
  EXPECT_THROW(mask_choices({"radial"}, {4}), Error);
  EXPECT_THROW(mask_choices({"random"}, {0.5}), Error);
}

TEST(Sketch, UnetWeightFilesLoadBitExactAndRefuseOtherNetworks) {
  test::TempDir dir;
  torch::manual_seed(5);
  LatentUnet net(sketch_config(8, 2, 4));
  save_unet(net, dir.file("sketch.pt"));
  LatentUnet back = load_unet(dir.file("sketch.pt"));
  const at::Tensor x = at::rand({1, 1, 16, 16});
  EXPECT_TRUE(at::equal(apply_sketch(net, x), apply_sketch(back, x)));
  const UnetConfig other = sketch_config(16, 2, 4);
  EXPECT_THROW(load_unet(dir.file("sketch.pt"), &other), Error);
  VaeConfig vc;
  vc.base_channels = 8, vc.groups = 4, vc.latent_channels = 2;
  Vae vae(vc);
  save_vae(vae, dir.file("vae.pt"));
  try {
    load_unet(dir.file("vae.pt"));
    ADD_FAILURE() << "a VAE file was read as a UNet";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no UNet weight file configuration"), std::string::npos) << e.what();
  }
  EXPECT_THROW(load_vae(dir.file("sketch.pt")), Error);
  const std::string bytes = test::read_text(dir.file("sketch.pt"));
  std::ofstream(dir.file("cut.pt"), std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  EXPECT_THROW(load_unet(dir.file("cut.pt")), Error);
}

struct Colin {
  at::Tensor slices;
  SliceSplit split;
};

const Colin& colin() {
  static const Colin c{read_volume(kColin27).data.to(at::kFloat), read_slice_split(std::string(QS_RESOURCES_DIR) + "/mri/colin27-split.json")};
  return c;
}

SliceTrainOptions options() {
  SliceTrainOptions o;
  o.batch = 8, o.crop = 32, o.lr = 2e-3, o.seed = 7;
  return o;
}

std::vector<int64_t> heldout_few() {
  const std::vector<int64_t> h = colin().split.heldout();
  return {h[0], h[10], h[19]};
}

TEST(SketchTrainer, LearnsOnColin27AndImprovesOnItsStart) {
  if (!std::filesystem::exists(kColin27)) GTEST_SKIP() << kColin27 << " is missing (mricron-data)";
  SketchTrainer t(sketch_config(8, 2, 4), options(), mask_choices({"random", "equispaced"}, {4, 8}), colin().slices, colin().split.train(), heldout_few());
  MaskSpec eval;
  eval.type = "random", eval.acceleration = 8, eval.seed = 11;
  const SketchEvaluation before = t.evaluate(eval);
  std::vector<double> losses;
  for (int i = 0; i < 40; ++i) losses.push_back(t.step());
  const SketchEvaluation after = t.evaluate(eval);
  std::cout << "sketch loss " << losses.front() << " -> " << losses.back() << "; held-out 8x PSNR: zero-filled " << after.zero_filled.psnr << ", sketch "
            << before.sketch.psnr << " -> " << after.sketch.psnr << " dB\n";
  EXPECT_LT((losses[37] + losses[38] + losses[39]) / 3, 0.8 * (losses[0] + losses[1] + losses[2]) / 3);
  EXPECT_GT(after.sketch.psnr, before.sketch.psnr + 1);
  EXPECT_EQ(before.zero_filled.psnr, after.zero_filled.psnr);  // the same fixed mask
}

TEST(SketchTrainer, ResumingEqualsTheUninterruptedRun) {
  if (!std::filesystem::exists(kColin27)) GTEST_SKIP() << kColin27 << " is missing (mricron-data)";
  test::TempDir dir;
  auto make = [] { return SketchTrainer(sketch_config(8, 2, 4), options(), mask_choices({"random"}, {4, 8}), colin().slices, colin().split.train(), heldout_few()); };
  SketchTrainer whole = make();
  for (int i = 0; i < 6; ++i) whole.step();
  SketchTrainer first = make();
  for (int i = 0; i < 3; ++i) first.step();
  first.save_checkpoint(dir.file("ckpt.pt"));
  SketchTrainer second = make();
  second.load_checkpoint(dir.file("ckpt.pt"));
  for (int i = 0; i < 3; ++i) second.step();
  const auto a = whole.net()->named_parameters(), b = second.net()->named_parameters();
  for (const auto& p : a) EXPECT_TRUE(at::equal(p.value(), b[p.key()])) << p.key();
}

}  // namespace
}  // namespace qs::mri
