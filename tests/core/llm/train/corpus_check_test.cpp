// A training corpus that is not text is refused with the reason; real text passes.
#include "core/llm/train/corpus_check.h"

#include <gtest/gtest.h>

#include <random>

#include "core/common/error.h"
#include "tests/support/test_support.h"

namespace qs {
namespace {

std::string refusal(const std::string& bytes) {
  try {
    require_text_corpus(bytes, "'corpus'");
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kFormat);
    return e.what();
  }
  return "";
}

TEST(CorpusCheck, RealTextPasses) {
  EXPECT_EQ(refusal(test::read_text("/usr/share/common-licenses/GPL-3")), "");
  EXPECT_EQ(refusal("na\xC3\xAFve caf\xC3\xA9 \xE2\x80\x94 \xF0\x9F\x99\x82 ok\n"), "");
  std::string mostly_utf8(20000, 'a');
  mostly_utf8[100] = char(0xE9);  // one stray Latin-1 byte in 20000
  EXPECT_EQ(refusal(mostly_utf8), "");
}

TEST(CorpusCheck, BinaryAndLatin1AreRefusedNamingWhy) {
  std::mt19937 rng(7);
  std::string noise(50000, '\0');
  for (char& c : noise) c = char(rng() & 0xFF);
  EXPECT_NE(refusal(noise).find("NUL bytes"), std::string::npos);
  std::string latin1;
  for (int i = 0; i < 2000; ++i) latin1 += "caf\xE9 ";
  const std::string why = refusal(latin1);
  EXPECT_NE(why.find("not UTF-8 text"), std::string::npos) << why;
  EXPECT_NE(why.find("'corpus'"), std::string::npos) << why;
  EXPECT_NE(refusal("\xC0\xAF overlong slash, \xED\xA0\x80 surrogate").find("not UTF-8"), std::string::npos);
}

}  // namespace
}  // namespace qs
