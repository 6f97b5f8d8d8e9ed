#include "core/llm/generate/generator.h"

#include <gtest/gtest.h>

#include "core/common/error.h"
#include "core/llm/tokenizer/tokenizer.h"
#include "tests/support/test_support.h"

namespace qs {
namespace {

class GeneratorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    model = load_model(test::asset("llm/stories260K/stories260K.gguf"), LoadOptions());
    transformer = std::make_unique<Transformer>(*model);
  }
  std::unique_ptr<Generator> make() { return std::make_unique<Generator>(*transformer, transformer->make_cache("f32", "f32", 512)); }
  std::unique_ptr<LoadedModel> model;
  std::unique_ptr<Transformer> transformer;
};

TEST_F(GeneratorTest, StreamedPiecesConcatenateToTheResult) {
  auto g = make();
  GenerateOptions o;
  o.max_new_tokens = 40;
  o.sampling = SamplingParams::greedy();
  std::string streamed;
  int events = 0;
  auto r = g->generate(model->tokenizer->encode("Once upon a time", true, false), o, [&](const TokenEvent& e) {
    streamed += e.text;
    ++events;
  }, CancelToken());
  EXPECT_EQ(streamed, r.text);
  EXPECT_EQ(events, 40);
  EXPECT_EQ(r.stop_reason, "length");
  EXPECT_GT(r.timings.generation_tokens_per_second(), 0);
  EXPECT_GT(r.timings.time_to_first_token, 0);
}

TEST_F(GeneratorTest, StopStringEndsTheReplyAndIsNotPrinted) {
  auto g = make();
  GenerateOptions o;
  o.max_new_tokens = 200;
  o.sampling = SamplingParams::greedy();
  o.stop_strings = {"park"};
  std::string streamed;
  auto r = g->generate({1}, o, [&](const TokenEvent& e) { streamed += e.text; }, CancelToken());
  EXPECT_EQ(r.stop_reason, "stop string");
  EXPECT_EQ(r.text, "Once upon a time, there was a little girl named Lily. She loved to play outside in the ");
  EXPECT_EQ(streamed, r.text);
}

TEST_F(GeneratorTest, CancellationStopsPromptly) {
  auto g = make();
  GenerateOptions o;
  o.max_new_tokens = 400;
  CancelToken cancel;
  auto r = g->generate({1}, o, [&](const TokenEvent& e) {
    if (e.index == 4) cancel.cancel();
  }, cancel);
  EXPECT_EQ(r.stop_reason, "cancelled");
  EXPECT_EQ(r.tokens.size(), 5u);
}

TEST_F(GeneratorTest, ContinuingAConversationReusesTheCachedPrefix) {
  auto g = make();
  GenerateOptions o;
  o.max_new_tokens = 10;
  o.sampling = SamplingParams::greedy();
  auto first = g->generate({1}, o, nullptr, CancelToken());
  std::vector<int32_t> next = {1};
  next.insert(next.end(), first.tokens.begin(), first.tokens.end());
  auto second = g->generate(next, o, nullptr, CancelToken());
  EXPECT_EQ(second.timings.prompt_tokens, 1);  // only the last sampled token was new
  // And the continuation equals a fresh run over the same prompt.
  auto fresh = make()->generate(next, o, nullptr, CancelToken());
  EXPECT_EQ(second.tokens, fresh.tokens);
}

TEST_F(GeneratorTest, EmptyPromptAndOverlongPromptAreErrors) {
  auto g = make();
  GenerateOptions o;
  EXPECT_THROW(g->generate({}, o, nullptr, CancelToken()), Error);
  std::vector<int32_t> huge(3000, 5);
  EXPECT_THROW(g->generate(huge, o, nullptr, CancelToken()), Error);
}

}  // namespace
}  // namespace qs
