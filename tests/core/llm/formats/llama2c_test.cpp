#include "core/llm/formats/llama2c.h"

#include <gtest/gtest.h>

#include <climits>
#include <cstring>

#include "core/common/error.h"
#include "tests/support/test_support.h"

namespace qs {
namespace {

llama2c::Checkpoint parse(const std::vector<uint8_t>& b) { return llama2c::parse_checkpoint(FileBytes::from_buffer(b.data(), b.size())); }

TEST(Llama2c, ReadsStories260KHeader) {
  auto c = llama2c::open_checkpoint(test::asset("llm/stories260K/stories260K.bin"));
  EXPECT_EQ(c.header.dim, 64);
  EXPECT_EQ(c.header.hidden_dim, 172);
  EXPECT_EQ(c.header.n_layers, 5);
  EXPECT_EQ(c.header.n_kv_heads, 4);
  EXPECT_EQ(c.header.vocab_size, 512);
  EXPECT_TRUE(c.header.shared_classifier);
  // Everything, freq_cis included, accounts for the file exactly.
  EXPECT_EQ(c.layout.freq_imag.offset + c.layout.freq_imag.count * 4, c.bytes->size());
}

TEST(Llama2c, ReadsTok512) {
  auto t = llama2c::open_tokenizer(test::asset("llm/stories260K/tok512.bin"), 512);
  EXPECT_EQ(t.max_token_length, 7);
  EXPECT_EQ(t.pieces[1], "\n<s>\n");
  EXPECT_EQ(t.pieces[3], "<0x00>");
}

TEST(Llama2c, RejectsHostileCheckpoints) {
  EXPECT_THROW(parse({}), Error);
  std::vector<int32_t> header = {64, 172, 5, 8, 4, 512, 512};
  std::vector<uint8_t> b(28);
  std::memcpy(b.data(), header.data(), 28);
  EXPECT_THROW(parse(b), Error);  // header only: truncated weights
  header = {1 << 16, 1 << 18, 1024, 1024, 1024, 1 << 22, 1 << 22};  // lying: would need terabytes
  std::memcpy(b.data(), header.data(), 28);
  try {
    parse(b);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("promises"), std::string::npos) << e.what();
  }
  header = {64, 172, 5, 8, 3, 512, 512};  // heads not a multiple of kv heads
  std::memcpy(b.data(), header.data(), 28);
  EXPECT_THROW(parse(b), Error);
  header = {64, 172, 5, 8, 4, INT32_MIN, 512};  // found by the fuzzer: negating it overflowed
  std::memcpy(b.data(), header.data(), 28);
  EXPECT_THROW(parse(b), Error);
  header = {-64, 172, 5, 8, 4, 512, 512};
  std::memcpy(b.data(), header.data(), 28);
  EXPECT_THROW(parse(b), Error);
}

TEST(Llama2c, RejectsHostileTokenizers) {
  auto bytes = test::read_bytes(test::asset("llm/stories260K/tok512.bin"));
  auto fb = FileBytes::from_buffer(bytes.data(), bytes.size() - 10);
  EXPECT_THROW(llama2c::parse_tokenizer(*fb, 512), Error);  // truncated
  EXPECT_THROW(llama2c::parse_tokenizer(*FileBytes::from_buffer(bytes.data(), bytes.size()), 100000), Error);  // wrong vocab size
  std::vector<uint8_t> lying = bytes;
  int32_t len = 1 << 30;
  std::memcpy(&lying[4 + 4], &len, 4);  // first token's length
  EXPECT_THROW(llama2c::parse_tokenizer(*FileBytes::from_buffer(lying.data(), lying.size()), 512), Error);
}

}  // namespace
}  // namespace qs
