#include "core/kv/bit_pack.h"

#include <gtest/gtest.h>

#include "core/common/error.h"

namespace qs {
namespace {

TEST(BitPack, RoundTripsEveryWidthAndLength) {
  for (int bits = 1; bits <= 8; ++bits)
    for (int64_t n : {1, 3, 7, 8, 16, 33, 128, 131}) {
      at::Tensor codes = at::randint(0, 1 << bits, {2, 3, n}, at::kLong).to(at::kByte);
      at::Tensor packed = pack_bits(codes, bits);
      EXPECT_EQ(packed.size(-1), (n * bits + 7) / 8);
      EXPECT_TRUE(at::equal(unpack_bits(packed, bits, n), codes)) << bits << " " << n;
    }
}

TEST(BitPack, LittleEndianWithinAByte) {
  at::Tensor codes = at::tensor({1, 2, 3, 0}).to(at::kByte);  // 2-bit: 01 10 11 00 from bit 0 up
  EXPECT_EQ(pack_bits(codes, 2).item<int>(), 1 + (2 << 2) + (3 << 4));
  at::Tensor three = at::tensor({5, 7, 1}).to(at::kByte);      // 3-bit codes spill across bytes
  at::Tensor p = pack_bits(three, 3);
  EXPECT_EQ(p.size(0), 2);
  EXPECT_EQ(p[0].item<int>(), (5 | (7 << 3) | (1 << 6)) & 0xff);
}

TEST(BitPack, RefusesMismatches) {
  EXPECT_THROW(pack_bits(at::zeros({4}, at::kByte), 9), Error);
  EXPECT_THROW(unpack_bits(at::zeros({3}, at::kByte), 2, 16), Error);  // 16 codes need 4 bytes
  EXPECT_THROW(pack_bits(at::zeros({4}, at::kInt), 2), Error);
}

}  // namespace
}  // namespace qs
