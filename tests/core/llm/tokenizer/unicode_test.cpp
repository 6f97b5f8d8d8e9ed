#include "core/llm/tokenizer/unicode.h"

#include <gtest/gtest.h>

namespace qs::unicode {
namespace {

TEST(Unicode, ClassesFromTheGeneratedTable) {
  EXPECT_TRUE(is_letter('a'));
  EXPECT_TRUE(is_letter(0x00FC));   // ü
  EXPECT_TRUE(is_letter(0x4E2D));   // 中
  EXPECT_FALSE(is_letter('1'));
  EXPECT_TRUE(is_number('7'));
  EXPECT_TRUE(is_number(0x00BD));   // ½ is No
  EXPECT_FALSE(is_number('x'));
  EXPECT_TRUE(is_whitespace(0x3000));
  EXPECT_FALSE(is_whitespace('a'));
}

TEST(Unicode, InvalidUtf8BecomesSingleBytes) {
  std::string bad = "a\xff\xc3";
  auto u = decode_utf8(bad);
  ASSERT_EQ(u.size(), 3u);
  EXPECT_EQ(u[1].cp, 0xFFFDu);
  EXPECT_EQ(u[2].length, 1u);
}

TEST(Unicode, CompletePrefixHoldsBackPartialCharacters) {
  std::string s = "ab\xE2\x96";  // first two bytes of a three-byte character
  EXPECT_EQ(complete_utf8_prefix(s), 2u);
  EXPECT_EQ(complete_utf8_prefix("ab\xE2\x96\x81"), 5u);
}

TEST(Unicode, Gpt2AlphabetRoundTrips) {
  std::string all;
  for (int b = 0; b < 256; ++b) all += char(b);
  std::string back;
  ASSERT_TRUE(gpt2_unicode_to_bytes(bytes_to_gpt2_unicode(all), &back));
  EXPECT_EQ(back, all);
  EXPECT_EQ(bytes_to_gpt2_unicode(" "), "\xC4\xA0");  // Ġ
}

TEST(Unicode, Gpt2SplitKeepsSpacesWithWordsAndContractions) {
  auto w = pre_split("Hello world's  3 tests!!\n", PreSplit::kGpt2);
  std::vector<std::string> expect = {"Hello", " world", "'s", " ", " 3", " tests", "!!", "\n"};
  EXPECT_EQ(w, expect);
}

TEST(Unicode, Llama3SplitGroupsDigitsInThrees) {
  auto w = pre_split("abc 12345\n\n x", PreSplit::kLlama3);
  std::vector<std::string> expect = {"abc", " ", "123", "45", "\n\n", " x"};
  EXPECT_EQ(w, expect);
}

}  // namespace
}  // namespace qs::unicode

// Our hand-written splitters against the regex module's findall on llama.cpp's test strings
// (presplit_vectors.json, written by make_presplit_vectors.py beside this file).
#include <nlohmann/json.hpp>

#include "tests/support/test_support.h"

namespace qs::unicode {
namespace {

TEST(Unicode, PreSplitsMatchTheRegexModule) {
  auto j = nlohmann::json::parse(test::read_text(std::string(QS_TEST_SOURCE_DIR) + "/core/llm/tokenizer/presplit_vectors.json"));
  ASSERT_EQ(j["cases"].size(), 46u);
  const std::pair<const char*, PreSplit> kinds[] = {{"gpt2", PreSplit::kGpt2}, {"llama3", PreSplit::kLlama3}, {"qwen2", PreSplit::kQwen2}};
  for (const auto& c : j["cases"]) {
    const std::string text = c["text"].get<std::string>();
    for (const auto& [name, kind] : kinds)
      EXPECT_EQ(pre_split(text, kind), c[name].get<std::vector<std::string>>()) << name << " on '" << text << "'";
  }
}

}  // namespace
}  // namespace qs::unicode
