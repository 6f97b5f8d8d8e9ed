// llama.cpp's tokenizer test vectors: each string of *.gguf.inp must encode to exactly the ids
// on the same line of *.gguf.out (no BOS, special text not parsed). Like llama.cpp's
// test-tokenizer-0, every case also runs on several threads at once to expose data races.
#include <gtest/gtest.h>

#include <sstream>
#include <thread>

#include "core/llm/formats/gguf.h"
#include "core/llm/tokenizer/tokenizer.h"
#include "core/llm/tokenizer/vocab_loaders.h"
#include "tests/support/test_support.h"

namespace qs {
namespace {

struct Case {
  std::string text;
  std::vector<int32_t> ids;
};

std::vector<Case> load_cases(const std::string& base) {
  std::string inp = test::read_text(test::asset(base + ".inp"));
  std::string out = test::read_text(test::asset(base + ".out"));
  const std::string sep = "\n__ggml_vocab_test__\n";
  std::vector<std::string> texts;
  size_t pos = 0;
  for (size_t at; (at = inp.find(sep, pos)) != std::string::npos; pos = at + sep.size()) texts.push_back(inp.substr(pos, at - pos));
  std::vector<Case> cases;
  std::istringstream lines(out);
  std::string line;
  for (const auto& t : texts) {
    std::getline(lines, line);
    Case c{t, {}};
    std::istringstream ids(line);
    for (int32_t id; ids >> id;) c.ids.push_back(id);
    cases.push_back(c);
  }
  return cases;
}

std::string pieces(const Tokenizer& tok, const std::vector<int32_t>& ids) {
  std::string s;
  for (int32_t id : ids) s += "'" + (id >= 0 && id < tok.n_vocab() ? tok.piece(id) : "?") + "' ";
  return s;
}

void check_vectors(const std::string& base, size_t expected_cases) {
  auto tok = tokenizer_from_gguf(gguf::File::open(test::asset(base)));
  auto cases = load_cases(base);
  ASSERT_EQ(cases.size(), expected_cases);
  int failures = 0;
  for (const auto& c : cases) {
    auto got = tok->encode(c.text, false, false);
    if (got != c.ids) {
      ++failures;
      ADD_FAILURE() << "text '" << c.text << "'\n expected " << pieces(*tok, c.ids) << "\n got      " << pieces(*tok, got);
    }
  }
  EXPECT_EQ(failures, 0);
  // The same cases from 4 threads at once must give the same answers.
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (const auto& c : cases)
        if (tok->encode(c.text, false, false) != c.ids) ++mismatches;
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), failures * 4);
}

TEST(VocabVectors, LlamaSpm) { check_vectors("llm/vocab/ggml-vocab-llama-spm.gguf", 46); }
TEST(VocabVectors, Gpt2) { check_vectors("llm/vocab/ggml-vocab-gpt-2.gguf", 46); }

TEST(VocabVectors, DecodeInvertsEncodeOnTheVectors) {
  for (const char* base : {"llm/vocab/ggml-vocab-llama-spm.gguf", "llm/vocab/ggml-vocab-gpt-2.gguf"}) {
    auto tok = tokenizer_from_gguf(gguf::File::open(test::asset(base)));
    bool spm = tok->spec().text == TokenizerSpec::Text::kSentencePiece;
    for (const auto& c : load_cases(base)) {
      // SentencePiece adds a dummy leading space and strips it again on decode.
      std::string back = tok->decode(c.ids);
      EXPECT_EQ(back, c.text) << base << (spm ? " (spm)" : " (bpe)");
    }
  }
}

}  // namespace
}  // namespace qs
