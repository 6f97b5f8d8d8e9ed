// train-vae's trainer on Colin27 with the committed split: the loss falls and the held-out
// round-trip PSNR rises, a resumed run equals the uninterrupted one, and overlapping splits are
// refused.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/common/error.h"
#include "core/mri/diffusion/slice_split.h"
#include "core/mri/diffusion/vae_trainer.h"
#include "core/mri/io/volume_io.h"
#include "tests/support/test_support.h"

namespace qs::mri {
namespace {

const char* kColin27 = "/usr/share/mricron/templates/ch2better.nii.gz";

struct Data {
  at::Tensor slices;
  SliceSplit split;
};

const Data& data() {
  static const Data d = [] {
    Data out;
    out.slices = read_volume(kColin27).data.to(at::kFloat);
    out.split = read_slice_split(std::string(QS_RESOURCES_DIR) + "/mri/colin27-split.json");
    return out;
  }();
  return d;
}

VaeConfig tiny() {
  VaeConfig c;
  c.base_channels = 8, c.groups = 4, c.latent_channels = 2, c.levels = 3, c.channel_mult = {1, 2, 2};
  return c;
}

VaeTrainOptions options() {
  VaeTrainOptions o;
  o.batch = 8, o.crop = 32, o.lr = 2e-3, o.loss.kl = 1e-6, o.seed = 3;
  return o;
}

std::vector<int64_t> heldout_few() {
  const std::vector<int64_t> h = data().split.heldout();
  return {h[0], h[9], h[19]};
}

TEST(VaeTrainer, LearnsAndTheHeldOutRoundTripImproves) {
  if (!std::filesystem::exists(kColin27)) GTEST_SKIP() << kColin27 << " is missing (mricron-data)";
  VaeTrainer t(tiny(), options(), data().slices, data().split.train(), heldout_few());
  const double psnr_before = t.evaluate().psnr;
  std::vector<double> losses;
  for (int i = 0; i < 40; ++i) losses.push_back(t.step());
  const double psnr_after = t.evaluate().psnr;
  std::cout << "loss " << losses.front() << " -> " << losses.back() << ", held-out round-trip PSNR " << psnr_before << " -> " << psnr_after << " dB\n";
  EXPECT_LT((losses[37] + losses[38] + losses[39]) / 3, 0.6 * (losses[0] + losses[1] + losses[2]) / 3);
  EXPECT_GT(psnr_after, psnr_before + 3);
}

TEST(VaeTrainer, ResumingEqualsTheUninterruptedRunAndSplitsMustNotOverlap) {
  if (!std::filesystem::exists(kColin27)) GTEST_SKIP() << kColin27 << " is missing (mricron-data)";
  test::TempDir dir;
  VaeTrainer whole(tiny(), options(), data().slices, data().split.train(), heldout_few());
  for (int i = 0; i < 8; ++i) whole.step();
  VaeTrainer first(tiny(), options(), data().slices, data().split.train(), heldout_few());
  for (int i = 0; i < 4; ++i) first.step();
  first.save_checkpoint(dir.file("ckpt.pt"));
  VaeTrainer second(tiny(), options(), data().slices, data().split.train(), heldout_few());
  second.load_checkpoint(dir.file("ckpt.pt"));
  for (int i = 0; i < 4; ++i) second.step();
  const auto a = whole.vae()->named_parameters(), b = second.vae()->named_parameters();
  for (const auto& p : a) EXPECT_TRUE(at::equal(p.value(), b[p.key()])) << p.key();
  std::vector<int64_t> overlap = data().split.train();
  overlap.push_back(data().split.heldout()[0]);
  EXPECT_THROW(VaeTrainer(tiny(), options(), data().slices, overlap, data().split.heldout()), Error);
}

}  // namespace
}  // namespace qs::mri
