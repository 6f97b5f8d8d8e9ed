// train-ldm's trainer on Colin27 with tiny frozen VAE and sketch networks: the eps loss falls on
// training crops and on the held-out slices, the latent scale makes the latents unit-variance,
// and a UNet whose latent channels differ from the VAE's is refused.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/common/error.h"
#include "core/mri/diffusion/ldm_trainer.h"
#include "core/mri/diffusion/slice_split.h"
#include "core/mri/diffusion/vae_trainer.h"
#include "core/mri/io/volume_io.h"

namespace qs::mri {
namespace {

const char* kColin27 = "/usr/share/mricron/templates/ch2better.nii.gz";

TEST(LdmTrainer, LearnsTheNoiseOfSketchConditionedLatents) {
  if (!std::filesystem::exists(kColin27)) GTEST_SKIP() << kColin27 << " is missing (mricron-data)";
  const at::Tensor slices = read_volume(kColin27).data.to(at::kFloat);
  const SliceSplit split = read_slice_split(std::string(QS_RESOURCES_DIR) + "/mri/colin27-split.json");
  const std::vector<int64_t> held = {split.heldout()[0], split.heldout()[19]};
  VaeConfig vc;
  vc.base_channels = 8, vc.groups = 4, vc.latent_channels = 2, vc.levels = 3, vc.channel_mult = {1, 2, 2};
  VaeTrainOptions vo;
  vo.batch = 8, vo.crop = 32, vo.lr = 2e-3, vo.seed = 3;
  VaeTrainer vt(vc, vo, slices, split.train(), held);
  for (int i = 0; i < 20; ++i) vt.step();
  const double scale = vt.set_latent_scale_from_training(64);
  EXPECT_GT(scale, 0);
  EXPECT_NEAR(vt.vae()->latent_scale(), scale, 1e-6 * scale);  // stored as a float buffer

  torch::manual_seed(8);
  LatentUnet sketch(sketch_config(8, 2, 4));
  UnetConfig uc;
  uc.latent_channels = 2, uc.base_channels = 16, uc.levels = 2, uc.groups = 4, uc.channel_mult = {1, 2};
  SliceTrainOptions o;
  o.batch = 8, o.crop = 32, o.lr = 2e-3, o.seed = 5;
  const auto choices = mask_choices({"random", "equispaced"}, {4, 8});
  LdmTrainer t(uc, o, choices, vt.vae(), sketch, 1000, slices, split.train(), held);
  MaskSpec eval;
  eval.acceleration = 8, eval.seed = 2;
  const double held_before = t.heldout_loss(eval);
  std::vector<double> losses;
  for (int i = 0; i < 60; ++i) losses.push_back(t.step());
  const double held_after = t.heldout_loss(eval);
  double first = 0, last = 0;
  for (int i = 0; i < 10; ++i) first += losses[size_t(i)], last += losses[size_t(50 + i)];
  std::cout << "eps loss (10-step means) " << first / 10 << " -> " << last / 10 << "; held-out " << held_before << " -> " << held_after << "\n";
  EXPECT_LT(last, 0.8 * first);
  EXPECT_LT(held_after, held_before);

  UnetConfig wrong = uc;
  wrong.latent_channels = 3;
  EXPECT_THROW(LdmTrainer(wrong, o, choices, vt.vae(), sketch, 1000, slices, split.train(), held), Error);
}

}  // namespace
}  // namespace qs::mri
