#include "core/llm/formats/gguf.h"

#include <gtest/gtest.h>

#include "core/common/error.h"
#include "tests/support/test_support.h"

namespace qs {
namespace {

using test::GgufBuilder;

gguf::File parse(const std::vector<uint8_t>& b) { return gguf::File::parse(FileBytes::from_buffer(b.data(), b.size())); }

// Expects a format error whose message contains `needle`.
void expect_format_error(const std::vector<uint8_t>& b, const std::string& needle) {
  try {
    parse(b);
    FAIL() << "parsed a defective file; expected an error containing '" << needle << "'";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(Gguf, ReadsStories260KMetadataAndTensors) {
  gguf::File f = gguf::File::open(test::asset("llm/stories260K/stories260K.gguf"));
  EXPECT_EQ(f.version(), 3u);
  EXPECT_EQ(f.tensors().size(), 48u);
  EXPECT_EQ(f.get_string("general.architecture"), "llama");
  EXPECT_EQ(f.get_int("llama.embedding_length"), 64);
  EXPECT_EQ(f.get_int("llama.block_count"), 5);
  EXPECT_EQ(f.get_int("llama.attention.head_count_kv"), 4);
  EXPECT_NEAR(f.get_float("llama.attention.layer_norm_rms_epsilon"), 1e-5, 1e-12);
  EXPECT_EQ(f.get_string_array("tokenizer.ggml.tokens").size(), 512u);
  const gguf::TensorInfo* t = f.find_tensor("blk.0.attn_k.weight");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->dims, (std::vector<uint64_t>{64, 32}));
  EXPECT_EQ(t->type, ggml::Type::kF32);
  EXPECT_EQ(f.tensors().front().offset % 32, 0u);
  EXPECT_EQ(f.tensors().front().offset, 14176u);  // PROVENANCE.md: data starts at byte 14176
}

TEST(Gguf, TypedGettersFailLoudlyOnMismatch) {
  auto b = GgufBuilder().kv_string("name", "x").kv_u32("n", 7).build();
  gguf::File f = parse(b);
  EXPECT_EQ(f.get_int("n"), 7);
  EXPECT_THROW(f.get_int("name"), Error);
  EXPECT_THROW(f.get_string("n"), Error);
  EXPECT_THROW(f.get_string("missing"), Error);
  EXPECT_FALSE(f.maybe_int("missing").has_value());
}

TEST(Gguf, ReadsEveryMetadataTypeAndVersion2) {
  auto b = GgufBuilder(2).kv_f32("f", 1.5f).kv_f32_array("fa", {1, 2, 3}).kv_i32_array("ia", {-1, 4}).kv_string_array("sa", {"a", ""}).build();
  gguf::File f = parse(b);
  EXPECT_EQ(f.version(), 2u);
  EXPECT_DOUBLE_EQ(f.get_float("f"), 1.5);
  EXPECT_EQ(f.get_number_array("ia"), (std::vector<double>{-1, 4}));
  EXPECT_EQ(f.get_string_array("sa"), (std::vector<std::string>{"a", ""}));
}

TEST(Gguf, RejectsZeroLengthAndWrongMagic) {
  expect_format_error({}, "too short");
  auto b = GgufBuilder().build();
  b[0] = 'X';
  expect_format_error(b, "bad magic");
}

TEST(Gguf, RejectsUnknownVersion) {
  auto b = GgufBuilder(7).build();
  EXPECT_THROW(parse(b), Error);
}

TEST(Gguf, RejectsLyingCountsWithoutAllocating) {
  GgufBuilder g;
  g.kv_u32("a", 1);
  g.force_kv_count = uint64_t(1) << 60;
  expect_format_error(g.build(), "metadata count");
  GgufBuilder t;
  t.force_tensor_count = uint64_t(1) << 40;
  expect_format_error(t.build(), "tensor count");
}

TEST(Gguf, RejectsStringLongerThanFile) {
  auto b = GgufBuilder().kv_string("key", "value").build();
  // The value's length field sits right after key (8+3), type (4): patch it to 2^62.
  size_t len_at = 24 + 8 + 3 + 4;
  uint64_t huge = uint64_t(1) << 62;
  std::memcpy(&b[len_at], &huge, 8);
  expect_format_error(b, "claims");
}

TEST(Gguf, RejectsTruncatedTensorData) {
  std::vector<uint8_t> data(64 * 4, 0);
  auto b = GgufBuilder().tensor("w", {64}, 0, data).build();
  EXPECT_NO_THROW(parse(b));
  b.resize(b.size() - 100);
  expect_format_error(b, "runs past the end");
}

TEST(Gguf, RejectsImpossibleShapeAndUnknownType) {
  auto b = GgufBuilder().tensor("w", {uint64_t(1) << 45, 1}, 0, {}).build();
  expect_format_error(b, "impossible shape");
  auto c = GgufBuilder().tensor("w", {32}, 99, std::vector<uint8_t>(64)).build();
  expect_format_error(c, "unknown type id 99");
}

TEST(Gguf, EveryTruncationOfARealFileFailsCleanly) {
  // Cut the real vocab file at many points: each must give an Error, never a crash.
  auto bytes = test::read_bytes(test::asset("llm/stories260K/stories260K.gguf"));
  for (size_t cut : {size_t(0), size_t(3), size_t(23), size_t(100), size_t(5000), size_t(14175), size_t(14176 + 100), bytes.size() - 1}) {
    std::vector<uint8_t> part(bytes.begin(), bytes.begin() + long(cut));
    EXPECT_THROW(parse(part), Error) << "cut at " << cut;
  }
}

}  // namespace
}  // namespace qs
