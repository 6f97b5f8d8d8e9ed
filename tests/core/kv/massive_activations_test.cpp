#include "core/kv/massive_activations.h"

#include <gtest/gtest.h>

namespace qs {
namespace {

TEST(MassiveActivations, FindsPlantedSinkTokens) {
  at::Tensor h = at::randn({2, 50, 64});
  h[0][0][7] = 300.0;    // BOS-like sink, two massive channels
  h[0][0][21] = -250.0;
  h[0][31][7] = 280.0;   // a second sink inside the text
  h[1][12][3] = -500.0;
  at::Tensor m = massive_activation_tokens(h, 3);
  EXPECT_EQ(m.sizes().vec(), (std::vector<int64_t>{2, 50}));
  EXPECT_TRUE(m[0][0].item<bool>());
  EXPECT_TRUE(m[0][31].item<bool>());
  EXPECT_EQ(m[0].sum().item<int64_t>(), 2);  // top-3 entries, two of them in token 0
  EXPECT_TRUE(m[1][12].item<bool>());
  at::Tensor p = top_tokens_by_max_abs(h, 2);
  EXPECT_EQ(p[0].sum().item<int64_t>(), 2);
  EXPECT_TRUE(p[0][0].item<bool>() && p[0][31].item<bool>());
  EXPECT_TRUE(p[1][12].item<bool>());
  EXPECT_EQ(massive_activation_tokens(h, 0).sum().item<int64_t>(), 0);
  // Ties (the same token repeated has the same embedding) go to the earliest token.
  at::Tensor tied = at::ones({1, 6, 4});
  tied[0][2].fill_(5.0);
  tied[0][4].fill_(5.0);
  at::Tensor first = top_tokens_by_max_abs(tied, 1);
  EXPECT_TRUE(first[0][2].item<bool>());
  EXPECT_EQ(first.sum().item<int64_t>(), 1);
  EXPECT_TRUE(massive_activation_tokens(tied, 4)[0][2].item<bool>());
  EXPECT_FALSE(massive_activation_tokens(tied, 4)[0][4].item<bool>());
}

}  // namespace
}  // namespace qs
