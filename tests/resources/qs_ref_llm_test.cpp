// The committed reference LLM (resources/models/qs-ref-llm, trained by train-lm on the GPU
// machine) on a clean clone: it loads through the runtime's Hugging Face path with the shape the
// codecs are judged on, predicts English it never saw far better than chance, and writes English
// words greedily. Broken weights, a wrong export or a tokenizer mismatch fail each check.
#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <sstream>

#include "core/common/error.h"
#include "core/kv/channel_reorder.h"
#include "core/llm/calibrate/reorder_calibration.h"
#include "core/llm/eval/perplexity.h"
#include "core/llm/generate/generator.h"
#include "core/llm/tokenizer/tokenizer.h"
#include "tests/support/test_support.h"

namespace qs {
namespace {

const std::string kModel = std::string(QS_RESOURCES_DIR) + "/models/qs-ref-llm";

std::set<std::string> lowercase_words(const std::string& text) {
  std::set<std::string> words;
  std::string w;
  for (char c : text + " ") {
    if (std::isalpha(static_cast<unsigned char>(c))) {
      w += char(std::tolower(static_cast<unsigned char>(c)));
    } else if (!w.empty()) {
      words.insert(w);
      w.clear();
    }
  }
  return words;
}

class QsRefLlm : public ::testing::Test {
 protected:
  void SetUp() override {
    m = load_model(kModel, LoadOptions());
    model = std::make_unique<Transformer>(*m);
  }
  std::unique_ptr<LoadedModel> m;
  std::unique_ptr<Transformer> model;
};

TEST_F(QsRefLlm, LoadsWithTheShapeOfARealLlamasHeads) {
  EXPECT_EQ(m->config.n_layers, 8);
  EXPECT_EQ(m->config.dim, 768);
  EXPECT_EQ(m->config.head_dim, 128);
  EXPECT_EQ(m->config.n_heads, 6);
  EXPECT_EQ(m->config.n_kv_heads, 2);
  EXPECT_EQ(m->config.vocab, 8192);
  EXPECT_EQ(m->tokenizer->n_vocab(), 8192);
}

// WikiText-2 test is not in the training corpus (build_corpus.py refuses every paragraph it
// shares with it). Measured: PPL 157 over the whole file at ctx 512 (docs/results/reference-llm.md);
// uniform guessing is 8192, and the untrained initialisation about as bad.
TEST_F(QsRefLlm, PredictsUnseenEnglishFarBetterThanChance) {
  const auto tokens = tokenize_corpus(*m->tokenizer, test::read_text(test::asset("eval/wikitext-2/wiki.test.raw")), "");
  PerplexityOptions o;
  o.ctx = 256;
  o.max_windows = 4;
  const PerplexityResult r = perplexity(*model, tokens, o, nullptr, CancelToken());
  EXPECT_EQ(r.count, 4 * 255);
  EXPECT_LT(r.ppl(), 400.0);
  EXPECT_GT(r.ppl(), 5.0);  // a model that saw the text would do far better
}

// Greedy words after a prompt are English: at least 80% of the distinct words also occur in
// WikiText-2 test (about 28K distinct words), which garbage or a shuffled vocabulary would not give.
TEST_F(QsRefLlm, WritesEnglishWordsGreedily) {
  Generator g(*model, model->make_cache("f32", "f32", 256));
  GenerateOptions o;
  o.max_new_tokens = 48;
  o.sampling.temperature = 0;
  const auto r = g.generate(m->tokenizer->encode("The network interface", true, false), o, nullptr, CancelToken());
  const std::set<std::string> english = lowercase_words(test::read_text(test::asset("eval/wikitext-2/wiki.test.raw")));
  const std::set<std::string> words = lowercase_words(r.text);
  ASSERT_GE(words.size(), size_t(5)) << r.text;
  size_t known = 0;
  for (const auto& w : words) known += english.count(w);
  EXPECT_GE(double(known), 0.8 * double(words.size())) << r.text;
}

// RotateKV works on a fresh machine: with no calibration of the user's, the reorder the folder
// ships (calibrated on GSM8K test, never an evaluation text here) is found and matches the model.
TEST_F(QsRefLlm, ShipsAReorderThatMatchesIt) {
  test::TempDir empty;
  std::shared_ptr<const ChannelReorder> r;
  {
    test::ScopedEnv calib("QUANTISCOPE_CALIB_DIR", empty.path());
    EXPECT_NO_THROW(r = reorder_source_for(*m, "")());
  }
  ASSERT_TRUE(r);
  EXPECT_EQ(shipped_reorder_path(*m), kModel + "/" + kShippedReorderFile);
}

}  // namespace
}  // namespace qs
