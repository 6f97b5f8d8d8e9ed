#include "core/llm/eval/perplexity.h"

#include <gtest/gtest.h>

#include "core/common/error.h"
#include "core/llm/eval/logit_file.h"
#include "core/llm/tokenizer/tokenizer.h"
#include "tests/support/test_support.h"

namespace qs {
namespace {

// stories260K and the TinyStories sample tokenized with a BOS per story.
class Perplexity : public ::testing::Test {
 protected:
  void SetUp() override {
    m = load_model(test::asset("llm/stories260K/stories260K.gguf"), LoadOptions());
    model = std::make_unique<Transformer>(*m);
    tokens = tokenize_corpus(*m->tokenizer, test::read_text(test::asset("eval/tinystories/TinyStories-valid.head.txt")), "<|endoftext|>");
  }
  std::unique_ptr<LoadedModel> m;
  std::unique_ptr<Transformer> model;
  std::vector<int32_t> tokens;
};

TEST_F(Perplexity, TinyStoriesSampleWithDocumentBosLandsNearTheReference) {
  const Transformer& t = *model;
  EXPECT_EQ(tokens.front(), 1);
  PerplexityOptions o;
  o.ctx = 256;
  auto r = perplexity(t, tokens, o, nullptr, CancelToken());
  EXPECT_EQ(r.windows, int64_t(tokens.size()) / 256);
  EXPECT_EQ(r.count, r.windows * 255);
  // The expectation for this sample: mean NLL near 1.2-1.3 nats/token.
  EXPECT_GT(r.mean_nll(), 1.1);
  EXPECT_LT(r.mean_nll(), 1.4);
}

TEST_F(Perplexity, DecodeProtocolEqualsPrefillForTheExactCache) {
  const Transformer& t = *model;
  PerplexityOptions o;
  o.ctx = 64;
  o.max_windows = 3;
  auto a = perplexity(t, tokens, o, nullptr, CancelToken());
  o.protocol = EvalProtocol::kDecode;
  auto b = perplexity(t, tokens, o, nullptr, CancelToken());
  EXPECT_NEAR(a.mean_nll(), b.mean_nll(), 1e-4);
}

TEST_F(Perplexity, KlDivergenceOfARunAgainstItselfIsZero) {
  test::TempDir dir;
  const Transformer& t = *model;
  PerplexityOptions o;
  o.ctx = 128;
  o.max_windows = 4;
  std::string path = dir.file("ref.logp");
  {
    LogitWriter w(path, m->config.vocab, o.ctx, false);
    perplexity(t, tokens, o, nullptr, CancelToken(), [&](const std::vector<int32_t>& win, const at::Tensor& lp) { w.add(win, lp); });
    w.finish();
  }
  EXPECT_THROW(LogitWriter(path, m->config.vocab, o.ctx, false), Error);  // no silent overwrite
  LogitReference ref(path);
  EXPECT_EQ(ref.windows(), 4);
  KldStats same;
  int64_t i = 0;
  perplexity(t, tokens, o, nullptr, CancelToken(), [&](const std::vector<int32_t>& win, const at::Tensor& lp) { ref.compare(i++, win, lp, &same); });
  EXPECT_EQ(same.positions, 4 * 127);
  EXPECT_LT(same.mean_kld(), 1e-5);  // only the f16 rounding of the stored reference
  EXPECT_EQ(same.top1_rate(), 1.0);
  // A bf16 cache diverges measurably but stays close.
  o.k_type = o.v_type = "bf16";
  KldStats bf;
  i = 0;
  perplexity(t, tokens, o, nullptr, CancelToken(), [&](const std::vector<int32_t>& win, const at::Tensor& lp) { ref.compare(i++, win, lp, &bf); });
  EXPECT_GT(bf.mean_kld(), same.mean_kld());
  EXPECT_LT(bf.mean_kld(), 0.05);
}

TEST_F(Perplexity, ErrorsForTooShortTextAndBadCtx) {
  const Transformer& t = *model;
  PerplexityOptions o;
  o.ctx = 256;
  EXPECT_THROW(perplexity(t, {1, 2, 3}, o, nullptr, CancelToken()), Error);
  o.ctx = 100000;
  EXPECT_THROW(perplexity(t, std::vector<int32_t>(200000, 5), o, nullptr, CancelToken()), Error);
  test::TempDir dir;
  std::string bad = dir.write("bad.logp", std::string("QSLOGP01\x02\x00\x00\x00\x40\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\x7f", 24));
  EXPECT_THROW(LogitReference{bad}, Error);
}

}  // namespace
}  // namespace qs
