#include "core/llm/formats/safetensors.h"

#include <gtest/gtest.h>

#include <cstring>

#include "core/common/error.h"
#include "tests/support/test_support.h"

namespace qs {
namespace {

std::vector<uint8_t> make(const std::string& header, size_t data_bytes) {
  std::vector<uint8_t> b(8 + header.size() + data_bytes, 0);
  uint64_t n = header.size();
  std::memcpy(b.data(), &n, 8);
  std::memcpy(b.data() + 8, header.data(), header.size());
  return b;
}

safetensors::File parse(const std::vector<uint8_t>& b) { return safetensors::File::parse(FileBytes::from_buffer(b.data(), b.size())); }

TEST(Safetensors, ReadsTheTinyStoriesModel) {
  auto f = safetensors::File::open(test::asset("llm/tinystories-656K/model.safetensors"));
  const auto* lm = f.find("lm_head.weight");
  ASSERT_NE(lm, nullptr);
  EXPECT_EQ(lm->shape, (std::vector<int64_t>{2048, 128}));
  EXPECT_EQ(lm->dtype, safetensors::DType::kF32);
  EXPECT_EQ(f.metadata().at("model.embed_tokens.weight"), "lm_head.weight");
}

TEST(Safetensors, AcceptsAWellFormedFile) {
  auto f = parse(make(R"({"w":{"dtype":"F16","shape":[2,3],"data_offsets":[0,12]}})", 12));
  EXPECT_EQ(f.find("w")->n_bytes, 12u);
}

TEST(Safetensors, RejectsHostileHeaders) {
  EXPECT_THROW(parse({}), Error);                                      // zero length
  EXPECT_THROW(parse({1, 2, 3}), Error);                               // shorter than the length field
  std::vector<uint8_t> huge(8);
  uint64_t n = uint64_t(1) << 62;
  std::memcpy(huge.data(), &n, 8);
  EXPECT_THROW(parse(huge), Error);                                    // header length lies
  EXPECT_THROW(parse(make("not json", 0)), Error);
  EXPECT_THROW(parse(make("[1,2]", 0)), Error);
  EXPECT_THROW(parse(make(R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", 8)), Error);   // past the end
  EXPECT_THROW(parse(make(R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,8]}})", 8)), Error);    // size mismatch
  EXPECT_THROW(parse(make(R"({"w":{"dtype":"F32","shape":[-4],"data_offsets":[0,8]}})", 8)), Error);   // negative dim
  EXPECT_THROW(parse(make(R"({"w":{"dtype":"Q9","shape":[1],"data_offsets":[0,1]}})", 8)), Error);     // unknown dtype
  EXPECT_THROW(parse(make(R"({"w":{"dtype":"F32","shape":[1099511627776,1099511627776],"data_offsets":[0,4]}})", 8)), Error);
  EXPECT_THROW(parse(make(R"({"w":{"dtype":"F32"}})", 8)), Error);
}

TEST(Safetensors, TruncatedRealFileFails) {
  auto bytes = test::read_bytes(test::asset("llm/tinystories-656K/model.safetensors"));
  bytes.resize(bytes.size() / 2);
  try {
    parse(bytes);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace qs
