#include "core/llm/generate/sampler.h"

#include <gtest/gtest.h>

#include <map>

#include "core/common/error.h"

namespace qs {
namespace {

at::Tensor logits(std::vector<float> v) { return at::tensor(v); }

TEST(Sampler, GreedyTakesTheFirstMaximum) {
  Sampler s(SamplingParams::greedy());
  EXPECT_EQ(s.sample(logits({0.1f, 2.0f, 2.0f, -1.0f}), {}), 1);
  EXPECT_NEAR(s.last_probability(), std::exp(2.0) / (std::exp(0.1) + 2 * std::exp(2.0) + std::exp(-1.0)), 1e-6);
}

TEST(Sampler, SameSeedSameDrawsAndTopK1IsGreedy) {
  SamplingParams p;
  p.temperature = 1.0f;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0.0f;
  p.seed = 42;
  Sampler a(p), b(p);
  at::Tensor l = at::randn({100});
  for (int i = 0; i < 50; ++i) EXPECT_EQ(a.sample(l, {}), b.sample(l, {}));
  p.top_k = 1;
  Sampler k1(p);
  EXPECT_EQ(k1.sample(l, {}), l.argmax().item<int64_t>());
}

TEST(Sampler, TopPMinPAndTemperatureShapeTheDistribution) {
  SamplingParams p;
  p.temperature = 1.0f;
  p.top_k = 0;
  p.top_p = 0.5f;  // the top token alone has 0.67 of the mass
  p.min_p = 0.0f;
  Sampler s(p);
  at::Tensor l = logits({std::log(0.67f), std::log(0.33f)});
  for (int i = 0; i < 100; ++i) EXPECT_EQ(s.sample(l, {}), 0);
  p.top_p = 1.0f;
  p.min_p = 0.6f;  // 0.33 < 0.6 * 0.67: the second token is cut
  Sampler m(p);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(m.sample(l, {}), 0);
  p.min_p = 0.0f;
  p.temperature = 1.0f;
  Sampler free(p);
  std::map<int, int> counts;
  for (int i = 0; i < 4000; ++i) counts[free.sample(l, {})]++;
  EXPECT_NEAR(counts[1] / 4000.0, 0.33, 0.03);
}

TEST(Sampler, RepetitionPenaltyDemotesSeenTokens) {
  SamplingParams p = SamplingParams::greedy();
  p.repeat_penalty = 2.0f;
  Sampler s(p);
  EXPECT_EQ(s.sample(logits({3.0f, 2.0f}), {0}), 1);  // 3/2 < 2
}

TEST(Sampler, RejectsBadParameters) {
  SamplingParams p;
  p.top_p = 0.0f;
  EXPECT_THROW(Sampler{p}, Error);
  p = SamplingParams();
  p.temperature = -1.0f;
  EXPECT_THROW(Sampler{p}, Error);
  Sampler s(SamplingParams::greedy());
  EXPECT_THROW(s.sample(logits({NAN, 1.0f}), {}), Error);
}

}  // namespace
}  // namespace qs
