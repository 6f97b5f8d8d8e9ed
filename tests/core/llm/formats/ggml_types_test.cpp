#include "core/llm/formats/ggml_types.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "core/common/error.h"

namespace qs::ggml {
namespace {

TEST(GgmlTypes, HalfRoundTripsAndKnownValues) {
  EXPECT_EQ(half_to_float(0x3C00), 1.0f);
  EXPECT_EQ(half_to_float(0xC000), -2.0f);
  EXPECT_EQ(half_to_float(0x7BFF), 65504.0f);
  EXPECT_EQ(half_to_float(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
  EXPECT_TRUE(std::isinf(half_to_float(0x7C00)));
  for (float f : {0.0f, 1.0f, -0.5f, 3.140625f, 65504.0f, 6.1035156e-05f, 1e-7f})
    EXPECT_EQ(half_to_float(float_to_half(f)), half_to_float(float_to_half(half_to_float(float_to_half(f)))));
  EXPECT_EQ(float_to_half(1.0f), 0x3C00);
  EXPECT_EQ(bf16_to_float(0x3F80), 1.0f);
}

TEST(GgmlTypes, Q8_0DecodesScaleTimesCode) {
  std::vector<uint8_t> block(34);
  uint16_t d = float_to_half(0.5f);
  std::memcpy(block.data(), &d, 2);
  for (int j = 0; j < 32; ++j) block[2 + size_t(j)] = uint8_t(int8_t(j - 16));
  std::vector<float> out(32);
  dequantize(Type::kQ8_0, block.data(), 32, out.data());
  for (int j = 0; j < 32; ++j) EXPECT_EQ(out[size_t(j)], 0.5f * float(j - 16));
}

TEST(GgmlTypes, Q4_0LowNibblesFirstThenHighNibbles) {
  std::vector<uint8_t> block(18);
  uint16_t d = float_to_half(2.0f);
  std::memcpy(block.data(), &d, 2);
  for (int j = 0; j < 16; ++j) block[2 + size_t(j)] = uint8_t((j & 0xF) | ((15 - j) << 4));
  std::vector<float> out(32);
  dequantize(Type::kQ4_0, block.data(), 32, out.data());
  for (int j = 0; j < 16; ++j) {
    EXPECT_EQ(out[size_t(j)], 2.0f * float(j - 8));
    EXPECT_EQ(out[size_t(j) + 16], 2.0f * float(15 - j - 8));
  }
}

TEST(GgmlTypes, Q4_KUsesSixBitScalesAndMins) {
  // Super-block: d = 1, dmin = 0.5; sub-block 0 scale 3 min 2; all codes 5 -> 1*3*5 - 0.5*2 = 14.
  std::vector<uint8_t> b(144, 0);
  uint16_t d = float_to_half(1.0f), dmin = float_to_half(0.5f);
  std::memcpy(&b[0], &d, 2);
  std::memcpy(&b[2], &dmin, 2);
  b[4 + 0] = 3;      // scale of sub-block 0
  b[4 + 4] = 2;      // min of sub-block 0
  for (int i = 0; i < 128; ++i) b[16 + size_t(i)] = 0x55;
  std::vector<float> out(256);
  dequantize(Type::kQ4_K, b.data(), 256, out.data());
  EXPECT_FLOAT_EQ(out[0], 14.0f);
  EXPECT_FLOAT_EQ(out[31], 14.0f);
  EXPECT_FLOAT_EQ(out[32], 0.0f);  // sub-block 1: scale 0, min 0
}

TEST(GgmlTypes, Q6_KCombinesLowAndHighBits) {
  std::vector<uint8_t> b(210, 0);
  for (int i = 0; i < 16; ++i) b[192 + size_t(i)] = 1;  // all scales 1
  uint16_t d = float_to_half(1.0f);
  std::memcpy(&b[208], &d, 2);
  b[0] = 0x0F;   // ql[0] low nibble 15 -> element 0
  b[128] = 0x03; // qh[0] bits 0-1 = 3 -> element 0 gets +48
  std::vector<float> out(256);
  dequantize(Type::kQ6_K, b.data(), 256, out.data());
  EXPECT_FLOAT_EQ(out[0], float((15 | (3 << 4)) - 32));
  EXPECT_FLOAT_EQ(out[1], -32.0f);
}

TEST(GgmlTypes, UnsupportedTypeErrorNamesIt) {
  std::vector<uint8_t> b(20);
  std::vector<float> out(32);
  try {
    dequantize(Type::kQ4_1, b.data(), 32, out.data());
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Q4_1"), std::string::npos);
    EXPECT_EQ(e.kind(), ErrorKind::kUnsupported);
  }
}

}  // namespace
}  // namespace qs::ggml
