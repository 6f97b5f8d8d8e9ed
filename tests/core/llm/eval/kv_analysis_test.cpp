// kv-analyze's attention-sink and massive-activation measurements on stories260K: per-head shares
// are probabilities, the top key receives at least what token 0 does, the sink rate counts the
// heads above Gu et al.'s epsilon, and with a BOS per window the BOS is where it says it is.
#include "core/llm/eval/kv_analysis.h"

#include <gtest/gtest.h>

#include "core/llm/eval/perplexity.h"
#include "core/llm/tokenizer/tokenizer.h"
#include "tests/support/test_support.h"

namespace qs {
namespace {

class KvAnalysisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m = load_model(test::asset("llm/stories260K/stories260K.gguf"), LoadOptions());
    model = std::make_unique<Transformer>(*m);
    tokens = tokenize_corpus(*m->tokenizer, test::read_text(test::asset("eval/tinystories/TinyStories-valid.head.txt")), "");
  }
  std::unique_ptr<LoadedModel> m;
  std::unique_ptr<Transformer> model;
  std::vector<int32_t> tokens;
};

TEST_F(KvAnalysisTest, PerHeadSinkSharesAreConsistentProbabilities) {
  KvAnalysisOptions o;
  o.ctx = 64;
  o.max_tokens = 256;
  const KvAnalysis r = analyze_kv(*model, tokens, o, nullptr, CancelToken());
  ASSERT_EQ(r.windows, 4);
  int64_t heads = 0, sinks = 0;
  for (const LayerKvStats& l : r.layers) {
    ASSERT_EQ(l.head_attn_token0.size(), size_t(m->config.n_heads));
    for (size_t h = 0; h < l.head_attn_token0.size(); ++h) {
      EXPECT_GE(l.head_attn_token0[h], 0.0);
      EXPECT_LE(l.head_attn_token0[h], l.head_attn_top_key[h] + 1e-9);  // token 0 is one of the keys
      EXPECT_LE(l.head_attn_top_key[h], 1.0 + 1e-6);
      ++heads, sinks += l.head_attn_token0[h] > kSinkEpsilon;
    }
    EXPECT_GE(l.massive_position, 0);
    EXPECT_LT(l.massive_position, o.ctx);
    EXPECT_GE(l.massive_channel, 0);
    EXPECT_LT(l.massive_channel, m->config.dim);
    EXPECT_GT(l.massive_value, 0.0);
  }
  EXPECT_DOUBLE_EQ(r.sink_rate(), double(sinks) / double(heads));
}

TEST_F(KvAnalysisTest, ABosPerWindowStartsEveryWindowWithIt) {
  KvAnalysisOptions o;
  o.ctx = 64;
  o.max_tokens = 63 * 3;
  o.window_bos = m->tokenizer->bos();
  const KvAnalysis r = analyze_kv(*model, tokens, o, nullptr, CancelToken());
  EXPECT_EQ(r.windows, 3);  // 63 text tokens per window after the BOS
  for (const LayerKvStats& l : r.layers)
    if (l.massive_position == 0) {
      EXPECT_EQ(l.massive_token, m->tokenizer->bos());
    }
}

}  // namespace
}  // namespace qs
