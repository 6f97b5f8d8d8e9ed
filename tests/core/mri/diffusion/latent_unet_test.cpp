// The latent denoiser: shapes, refusals and the embedding; a tiny UNet learns to predict the noise
// of a structured latent distribution in a few CPU steps (loss well below that of predicting 0).
#include <gtest/gtest.h>

#include <torch/optim/adam.h>

#include "core/common/error.h"
#include "core/mri/diffusion/latent_unet.h"

namespace qs::mri {
namespace {

UnetConfig tiny() {
  UnetConfig c;
  c.latent_channels = 2, c.base_channels = 16, c.levels = 2, c.groups = 4, c.channel_mult = {1, 2};
  return c;
}

TEST(LatentUnet, ShapesRefusalsAndEmbedding) {
  torch::manual_seed(1);
  LatentUnet net(tiny());
  const at::Tensor z = at::randn({3, 2, 8, 12}), t = at::tensor(std::vector<int64_t>{0, 500, 999});
  EXPECT_EQ(net->forward(z, t, z).sizes(), z.sizes());
  EXPECT_THROW(net->forward(at::randn({3, 2, 7, 12}), t, at::randn({3, 2, 7, 12})), Error);
  EXPECT_THROW(net->forward(z, t, at::Tensor()), Error);  // conditioned: needs the sketch latent
  const at::Tensor e = timestep_embedding(at::tensor(std::vector<int64_t>{0, 10}), 8);
  EXPECT_TRUE(at::allclose(e[0], at::cat({at::ones({4}), at::zeros({4})})));  // cos(0) = 1, sin(0) = 0
  EXPECT_NEAR(e[1][0].item<float>(), std::cos(10.0f), 1e-6);
}

TEST(LatentUnet, LearnsToPredictTheNoise) {
  torch::manual_seed(2);
  const NoiseSchedule s = respace(linear_schedule(1000), space_timesteps(1000, "50"));
  LatentUnet net(tiny());
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(2e-3));
  const at::Tensor grid = at::linspace(0, 6.28, 8);
  const at::Tensor pattern = at::stack({at::sin(grid).unsqueeze(1) * at::cos(grid).unsqueeze(0), at::cos(grid).unsqueeze(1) * at::ones({8})});
  std::vector<double> losses;
  for (int step = 0; step < 80; ++step) {
    const at::Tensor z0 = pattern.unsqueeze(0) + 0.1 * at::randn({16, 2, 8, 8});
    const at::Tensor t = at::randint(s.size(), {16}, at::kLong);
    opt.zero_grad();
    at::Tensor loss = net->loss(s, z0, t, at::randn({16, 2, 8, 8}), z0);  // the sketch latent: the clean one
    loss.backward();
    opt.step();
    losses.push_back(loss.item<double>());
  }
  double first = 0, last = 0;
  for (int i = 0; i < 5; ++i) first += losses[size_t(i)] / 5, last += losses[size_t(75 + i)] / 5;
  std::cout << "UNet eps loss " << first << " -> " << last << "\n";
  EXPECT_LT(last, 0.5 * first);
  EXPECT_LT(last, 0.5);  // predicting 0 scores 1
}

}  // namespace
}  // namespace qs::mri
