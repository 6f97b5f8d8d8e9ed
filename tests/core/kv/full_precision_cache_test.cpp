#include "core/kv/full_precision_cache.h"

#include <gtest/gtest.h>

#include "core/common/error.h"
#include "core/nn/rope.h"

namespace qs {
namespace {

KvShape shape() {
  KvShape s;
  s.n_layers = 1;
  s.n_heads = 4;
  s.n_kv_heads = 2;
  s.head_dim = 8;
  s.max_tokens = 300;
  return s;
}

TEST(FullPrecisionCache, RegisteredTypesAreListed) {
  auto types = kv_cache_types();
  for (const char* t : {"f32", "f16", "bf16"}) EXPECT_NE(std::find(types.begin(), types.end(), t), types.end()) << t;
  EXPECT_THROW(create_kv_cache(shape(), "q3_nonsense", "f16"), Error);
  EXPECT_THROW(create_kv_cache(shape(), "f16", "q3_nonsense"), Error);
}

TEST(FullPrecisionCache, GrowsTruncatesAndCountsBytes) {
  RopeParams c;
  c.head_dim = 8;
  Rope rope(c, at::Tensor(), at::kCPU);
  auto cache = create_kv_cache(shape(), "f16", "f32");
  at::Tensor hidden = at::zeros({1, 100, 16});
  for (int chunk = 0; chunk < 3; ++chunk) {
    at::Tensor q = at::randn({1, 4, 100, 8}), k = at::randn({1, 2, 100, 8}), v = at::randn({1, 2, 100, 8});
    at::Tensor pos = at::arange(chunk * 100, chunk * 100 + 100, at::kLong);
    at::Tensor out = cache->attend(0, AttentionInput{q, k, v, pos, hidden, rope.table(pos)}, rope, nullptr);
    EXPECT_EQ(out.sizes().vec(), (std::vector<int64_t>{1, 4, 100, 8}));
  }
  EXPECT_EQ(cache->length(), 300);
  EXPECT_EQ(cache->memory().total(), 300 * 2 * 8 * (2 + 4));  // f16 keys + f32 values
  at::Tensor q = at::randn({1, 4, 1, 8}), k = at::randn({1, 2, 1, 8});
  at::Tensor pos = at::tensor({300}, at::kLong);
  EXPECT_THROW(cache->attend(0, AttentionInput{q, k, k, pos, hidden, rope.table(pos)}, rope, nullptr), Error);  // context full
  cache->truncate(120);
  EXPECT_EQ(cache->length(), 120);
  cache->clear();
  EXPECT_EQ(cache->length(), 0);
}

TEST(FullPrecisionCache, FirstTokenAttendsOnlyToItself) {
  RopeParams c;
  c.head_dim = 8;
  Rope rope(c, at::Tensor(), at::kCPU);
  auto cache = create_kv_cache(shape(), "f32", "f32");
  at::Tensor q = at::randn({1, 4, 5, 8}), k = at::randn({1, 2, 5, 8}), v = at::randn({1, 2, 5, 8});
  at::Tensor out = cache->attend(0, AttentionInput{q, k, v, at::arange(5, at::kLong), at::zeros({1, 5, 16}), rope.table(at::arange(5, at::kLong))}, rope, nullptr);
  // Query 0 sees only key 0, so its output is value 0 of its KV head.
  EXPECT_TRUE(at::allclose(out[0][0][0], v[0][0][0]));
  EXPECT_TRUE(at::allclose(out[0][3][0], v[0][1][0]));
}

}  // namespace
}  // namespace qs
