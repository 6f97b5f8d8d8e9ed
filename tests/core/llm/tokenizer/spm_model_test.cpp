// tokenizer.model: we write a SentencePiece ModelProto from the stories260K vocabulary (the
// protobuf layout is public) and check the reader gives the same tokenizer as the GGUF's.
#include <gtest/gtest.h>

#include <cstring>

#include "core/common/error.h"
#include "core/llm/formats/gguf.h"
#include "core/llm/tokenizer/tokenizer.h"
#include "core/llm/tokenizer/vocab_loaders.h"
#include "tests/support/test_support.h"

namespace qs {
namespace {

void varint(std::vector<uint8_t>& b, uint64_t v) {
  while (v >= 0x80) {
    b.push_back(uint8_t(v | 0x80));
    v >>= 7;
  }
  b.push_back(uint8_t(v));
}
void field_bytes(std::vector<uint8_t>& b, uint32_t field, const std::vector<uint8_t>& payload) {
  varint(b, (field << 3) | 2);
  varint(b, payload.size());
  b.insert(b.end(), payload.begin(), payload.end());
}

TEST(SpmModel, ReadsAModelProtoLikeTheGgufVocab) {
  gguf::File f = gguf::File::open(test::asset("llm/stories260K/stories260K.gguf"));
  auto pieces = f.get_string_array("tokenizer.ggml.tokens");
  auto scores = f.get_number_array("tokenizer.ggml.scores");
  auto types = f.get_number_array("tokenizer.ggml.token_type");
  std::vector<uint8_t> model;
  for (size_t i = 0; i < pieces.size(); ++i) {
    std::vector<uint8_t> p;
    field_bytes(p, 1, std::vector<uint8_t>(pieces[i].begin(), pieces[i].end()));
    varint(p, (2 << 3) | 5);
    float s = float(scores[i]);
    uint8_t sb[4];
    std::memcpy(sb, &s, 4);
    p.insert(p.end(), sb, sb + 4);
    varint(p, (3 << 3) | 0);
    varint(p, uint64_t(types[i]));
    field_bytes(model, 1, p);
  }
  auto from_proto = tokenizer_from_spm_model_bytes(model.data(), model.size());
  auto from_gguf = tokenizer_from_gguf(f);
  for (const char* text : {"Once upon a time, there was a little girl named Lily.", "Tom's dog ran\nhome! 123"})
    EXPECT_EQ(from_proto->encode(text, true, false), from_gguf->encode(text, true, false)) << text;
  // Every truncation is an error, never a crash.
  for (size_t cut : {size_t(1), size_t(7), model.size() / 2, model.size() - 1}) {
    std::vector<uint8_t> part(model.begin(), model.begin() + long(cut));
    try {
      tokenizer_from_spm_model_bytes(part.data(), part.size());
    } catch (const Error&) {
    }
  }
  EXPECT_THROW(tokenizer_from_spm_model_bytes(nullptr, 0), Error);
}

// The reference LLM's tokenizer (resources/models/qs-ref-tokenizer, trained by spm_train): ids
// for three sentences as Debian's spm_encode 0.1.97 gives them for the same model file.
TEST(SpmModel, TheReferenceTokenizerEncodesAsSpmEncode) {
  auto tok = tokenizer_from_spm_model(std::string(QS_RESOURCES_DIR) + "/models/qs-ref-tokenizer/tokenizer.model");
  const std::vector<std::pair<std::string, std::vector<int32_t>>> vectors = {
      {"The kernel maps each page of the file into memory.", {351, 683, 6877, 910, 1328, 287, 267, 668, 674, 895, 7189}},
      {"Once upon a time, a 3-year-old dog named Max found 42 apples.",
       {2972, 1785, 260, 723, 7190, 260, 7169, 7215, 7198, 2395, 288, 7198, 974, 3742, 2275, 6215, 1257, 7169, 7238, 7227, 581, 1783, 7189}},
      {"Use \"perl -e\" to run one line; see perlrun(1).", {2931, 358, 1242, 371, 7170, 7200, 290, 769, 516, 979, 7209, 1067, 943, 2570, 7212, 7194, 626}},
  };
  for (const auto& [text, ids] : vectors) {
    EXPECT_EQ(tok->encode(text, false, false), ids) << text;
    EXPECT_EQ(tok->decode(ids), text);
  }
}

// A text over 1 MiB is encoded in pieces cut after newlines, one per thread. The same tokenizer
// with one extra piece that spans a newline (and never occurs) must take the one-piece path: both
// must give the same ids for WikiText-2 test (1.3 MB), which would differ if a cut broke a merge.
TEST(SpmModel, ALongTextEncodesTheSameInPiecesAsWhole) {
  auto tok = tokenizer_from_spm_model(std::string(QS_RESOURCES_DIR) + "/models/qs-ref-tokenizer/tokenizer.model");
  TokenizerSpec spec = tok->spec();
  spec.pieces.push_back("\n\x01\n");
  spec.scores.push_back(-1e9f);
  if (!spec.types.empty()) spec.types.push_back(TokenType::kNormal);
  Tokenizer whole(spec);
  const std::string text = test::read_text(test::asset("eval/wikitext-2/wiki.test.raw"));
  ASSERT_GT(text.size(), size_t(1) << 20);
  const std::vector<int32_t> in_pieces = tok->encode(text, true, false);
  EXPECT_EQ(in_pieces, whole.encode(text, true, false));
  EXPECT_GT(in_pieces.size(), size_t(300000));
}

}  // namespace
}  // namespace qs
