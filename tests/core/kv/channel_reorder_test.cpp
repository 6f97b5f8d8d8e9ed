#include "core/kv/channel_reorder.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/common/error.h"
#include "tests/support/test_support.h"

namespace qs {
namespace {

ChannelReorder sample() {
  ChannelReorder r;
  r.model_hash = std::string(64, 'a');
  r.n_layers = 3, r.n_kv_heads = 4, r.head_dim = 8, r.head_group = 4, r.tokens = 1234, r.source = "calib.txt";
  std::vector<at::Tensor> pre, post;
  for (int l = 0; l < 3; ++l) {
    pre.push_back(at::randperm(32, at::kLong));
    std::vector<at::Tensor> heads;
    for (int h = 0; h < 4; ++h) heads.push_back(at::randperm(8, at::kLong));
    post.push_back(at::stack(heads));
  }
  r.pre = at::stack(pre);
  r.post = at::stack(post);
  return r;
}

std::vector<uint8_t> bytes_of(const std::string& path) { return test::read_bytes(path); }

TEST(ChannelReorder, RoundTripsAndRefusesToOverwrite) {
  test::TempDir dir;
  ChannelReorder r = sample();
  const std::string path = dir.file("m.qsreorder");
  write_channel_reorder(path, r, false);
  ChannelReorder back = read_channel_reorder(path);
  EXPECT_EQ(back.model_hash, r.model_hash);
  EXPECT_EQ(back.tokens, 1234);
  EXPECT_EQ(back.source, "calib.txt");
  EXPECT_TRUE(at::equal(back.pre, r.pre));
  EXPECT_TRUE(at::equal(back.post, r.post));
  EXPECT_TRUE(is_permutation_rows(back.pre));
  EXPECT_THROW(write_channel_reorder(path, r, false), Error);
  EXPECT_NO_THROW(check_reorder_matches(back, r.model_hash, 3, 4, 8));
}

TEST(ChannelReorder, RefusesAnotherModelOrShape) {
  ChannelReorder r = sample();
  try {
    check_reorder_matches(r, std::string(64, 'b'), 3, 4, 8);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("another model"), std::string::npos) << e.what();
  }
  EXPECT_THROW(check_reorder_matches(r, r.model_hash, 5, 4, 8), Error);
  EXPECT_THROW(check_reorder_matches(r, r.model_hash, 3, 2, 8), Error);
}

TEST(ChannelReorder, RefusesCorruptTruncatedAndForeignFiles) {
  test::TempDir dir;
  const std::string good = dir.file("good.qsreorder");
  write_channel_reorder(good, sample(), false);
  std::vector<uint8_t> b = bytes_of(good);
  auto expect_format_error = [&](const std::vector<uint8_t>& data, const std::string& needle) {
    const std::string p = dir.write("bad.qsreorder", data);
    try {
      read_channel_reorder(p);
      ADD_FAILURE() << "accepted: " << needle;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kFormat);
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  std::vector<uint8_t> flipped = b;
  flipped[b.size() / 2] ^= 0x40;
  expect_format_error(flipped, "checksum");
  expect_format_error(std::vector<uint8_t>(b.begin(), b.begin() + long(b.size()) - 100), "checksum");
  expect_format_error(std::vector<uint8_t>(b.begin(), b.begin() + 20), "magic");
  std::vector<uint8_t> foreign(200, 'x');
  expect_format_error(foreign, "magic");
  EXPECT_THROW(read_channel_reorder(dir.file("missing.qsreorder")), Error);
}

TEST(ChannelReorder, RefusesARowThatIsNotAPermutationEvenWithAValidChecksum) {
  test::TempDir dir;
  ChannelReorder r = sample();
  r.pre[1][3] = r.pre[1][4].item<int64_t>();  // a duplicate index
  // The writer does not police content; the reader must.
  write_channel_reorder(dir.file("dup.qsreorder"), r, false);
  try {
    read_channel_reorder(dir.file("dup.qsreorder"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not a permutation"), std::string::npos) << e.what();
  }
}

TEST(ChannelReorder, HeadGroupIsAPowerOfTwoDividingTheKvHeads) {
  EXPECT_EQ(rotation_head_group(32), 4);
  EXPECT_EQ(rotation_head_group(8), 4);
  EXPECT_EQ(rotation_head_group(4), 4);
  EXPECT_EQ(rotation_head_group(2), 2);
  EXPECT_EQ(rotation_head_group(6), 2);
  EXPECT_EQ(rotation_head_group(1), 1);
}

}  // namespace
}  // namespace qs
