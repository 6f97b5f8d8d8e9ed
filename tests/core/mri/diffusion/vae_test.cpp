// The VAE: shapes and refusals, a few training steps on Colin27 crops on the CPU with a falling
// loss, and weights that save and load bit for bit.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <torch/optim/adam.h>

#include "core/common/error.h"
#include "core/mri/diffusion/slice_split.h"
#include "core/mri/diffusion/vae.h"
#include "core/mri/io/volume_io.h"
#include "tests/support/test_support.h"

namespace qs::mri {
namespace {

const char* kColin27 = "/usr/share/mricron/templates/ch2better.nii.gz";  // packaging/install-deps.sh: mricron-data

VaeConfig tiny() {
  VaeConfig c;
  c.base_channels = 8, c.groups = 4, c.latent_channels = 2, c.levels = 3, c.channel_mult = {1, 2, 2};
  return c;
}

TEST(Vae, ShapesAndRefusals) {
  torch::manual_seed(1);
  Vae vae(tiny());
  auto [mean, logvar] = vae->encode(at::rand({2, 1, 32, 48}));
  EXPECT_EQ(mean.sizes(), (at::IntArrayRef{2, 2, 8, 12}));
  EXPECT_EQ(vae->decode(mean).sizes(), (at::IntArrayRef{2, 1, 32, 48}));
  EXPECT_THROW(vae->encode(at::rand({1, 1, 30, 32})), Error);  // not a multiple of 4
  VaeConfig bad = tiny();
  bad.channel_mult = {1, 2};
  EXPECT_THROW(Vae{bad}, Error);
}

TEST(Vae, TrainsOnColin27CropsAndSavesBitExact) {
  if (!std::filesystem::exists(kColin27)) GTEST_SKIP() << kColin27 << " is missing (mricron-data)";
  const Volume v = read_volume(kColin27);
  // Training slices of the committed split only (never the held-out slab), from the part of the
  // head where brain fills most pixels.
  std::vector<int64_t> rows;
  for (int64_t s : read_slice_split(std::string(QS_RESOURCES_DIR) + "/mri/colin27-split.json").train())
    if (s >= 100 && s <= 220) rows.push_back(s);
  at::Tensor slices = v.data.to(at::kFloat).index_select(0, at::tensor(rows, at::kLong));  // (S, H, W)
  slices = slices / slices.max();
  torch::manual_seed(2);
  Vae vae(tiny());
  torch::optim::Adam opt(vae->parameters(), torch::optim::AdamOptions(2e-3));
  at::Generator gen = at::detail::createCPUGenerator(5);
  std::vector<double> losses;
  for (int step = 0; step < 40; ++step) {
    std::vector<at::Tensor> crops;
    for (int b = 0; b < 8; ++b) {
      const int64_t s = at::randint(slices.size(0), {1}, gen).item<int64_t>(), y = at::randint(slices.size(1) - 32, {1}, gen).item<int64_t>(),
                    x = at::randint(slices.size(2) - 32, {1}, gen).item<int64_t>();
      crops.push_back(slices[s].narrow(0, y, 32).narrow(1, x, 32).unsqueeze(0));
    }
    const at::Tensor batch = at::stack(crops);
    opt.zero_grad();
    at::Tensor loss = vae->loss(batch, at::randn({8, 2, 8, 8}, gen), VaeLossWeights{1e-4, 0.2, 0.05});
    loss.backward();
    opt.step();
    losses.push_back(loss.item<double>());
  }
  const double first = (losses[0] + losses[1] + losses[2]) / 3, last = (losses[37] + losses[38] + losses[39]) / 3;
  std::cout << "VAE loss " << first << " -> " << last << "\n";
  EXPECT_LT(last, 0.7 * first);

  test::TempDir dir;
  save_vae(vae, dir.file("vae.pt"));
  Vae back = load_vae(dir.file("vae.pt"));
  const auto a = vae->named_parameters(), b = back->named_parameters();
  ASSERT_EQ(a.size(), b.size());
  for (const auto& p : a) EXPECT_TRUE(at::equal(p.value(), b[p.key()])) << p.key();
  torch::NoGradGuard no_grad;
  const at::Tensor probe = slices[10].narrow(0, 40, 32).narrow(1, 40, 32).view({1, 1, 32, 32});
  EXPECT_TRUE(at::equal(vae->decode(vae->encode(probe).first), back->decode(back->encode(probe).first)));
  VaeConfig other = tiny();
  other.latent_channels = 4;
  try {
    load_vae(dir.file("vae.pt"), &other);
    ADD_FAILURE() << "a VAE of another architecture loaded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("latent 2"), std::string::npos) << e.what();
  }
  std::ofstream(dir.file("junk.pt")) << "junk";
  EXPECT_THROW(load_vae(dir.file("junk.pt")), Error);
}

}  // namespace
}  // namespace qs::mri
