#include <gtest/gtest.h>

#include <algorithm>

#include "core/common/error.h"
#include "core/llm/tokenizer/tokenizer.h"
#include "core/llm/tokenizer/vocab_loaders.h"
#include "tests/support/test_support.h"

namespace qs {
namespace {

TEST(HfTokenizer, TinyStoriesTokenizerJson) {
  auto tok = tokenizer_from_hf_files(test::asset("llm/tinystories-656K"));
  EXPECT_EQ(tok->n_vocab(), 2048);
  EXPECT_EQ(tok->bos(), 1);
  EXPECT_EQ(tok->eos(), 2);
  EXPECT_TRUE(tok->add_bos());
  // Reference greedy output ids (PROVENANCE.md) decode to "Once upon a time, there was a little girl named Lily."
  std::vector<int32_t> ids = {1, 147, 201, 282, 215, 286, 598, 1662, 356, 499};
  std::string text = tok->decode(ids);
  EXPECT_EQ(text.rfind("Once upon a time, there was a little girl named Lily.", 0), 0u) << text;
  // Encoding that text again gives ids that decode back to it.
  auto again = tok->encode(text, true, false);
  EXPECT_EQ(again.front(), 1);
  EXPECT_EQ(tok->decode(again), text);
  // byte_fallback is on but this vocabulary has no <0xXX> tokens, so an unknown character
  // becomes <unk> (id 0), as Hugging Face tokenizers does.
  auto ids2 = tok->encode("snow ☃ day", false, false);
  EXPECT_NE(std::find(ids2.begin(), ids2.end(), 0), ids2.end());
  EXPECT_EQ(tok->decode(ids2), "snow  day");
}

TEST(HfTokenizer, SpecialTokensParsedOnlyWhenAsked) {
  auto tok = tokenizer_from_hf_files(test::asset("llm/tinystories-656K"));
  auto parsed = tok->encode("<|end_story|>", false, true);
  ASSERT_EQ(parsed.size(), 1u);
  EXPECT_EQ(parsed[0], 2);
  EXPECT_GT(tok->encode("<|end_story|>", false, false).size(), 1u);
}

TEST(HfTokenizer, RejectsHostileJson) {
  EXPECT_THROW(tokenizer_from_hf_json("", ""), Error);
  EXPECT_THROW(tokenizer_from_hf_json("{", ""), Error);
  EXPECT_THROW(tokenizer_from_hf_json("[]", ""), Error);
  EXPECT_THROW(tokenizer_from_hf_json(R"({"model":{"type":"Unigram","vocab":[]}})", ""), Error);
  EXPECT_THROW(tokenizer_from_hf_json(R"({"model":{"type":"BPE","vocab":{"a":99999999}}})", ""), Error);
  EXPECT_THROW(tokenizer_from_hf_json(R"({"model":{"type":"BPE","vocab":{"a":-1}}})", ""), Error);
  EXPECT_THROW(tokenizer_from_hf_json(R"({"model":{"type":"BPE","vocab":{"a":0},"merges":[7]},"pre_tokenizer":{"type":"ByteLevel"}})", ""), Error);
  std::string deep(100000, '[');
  EXPECT_THROW(tokenizer_from_hf_json(deep, ""), Error);
}

}  // namespace
}  // namespace qs
