// The CI sweep: a small codec sweep on stories260K whose sanity must hold (f32 equals the f32
// reference exactly, f16 differs at rounding level, q8_0 barely moves PPL, 2-bit codecs are worse
// than the 4-bit ones of their family). The full tables: docs/results/kv-accuracy.md.
#include "core/llm/eval/kv_sweep.h"

#include <gtest/gtest.h>

#include <map>

#include "core/common/error.h"
#include "core/kv/kv_cache.h"
#include "core/llm/calibrate/reorder_calibration.h"
#include "core/llm/tokenizer/tokenizer.h"
#include "tests/support/test_support.h"

namespace qs {
namespace {

TEST(KvSweep, SmallSweepOnStories260KIsSane) {
  auto m = load_model(test::asset("llm/stories260K/stories260K.gguf"), LoadOptions());
  Transformer t(*m);
  const std::string calib = test::read_text(test::asset("eval/gsm8k/test.jsonl")).substr(0, 30000);
  CalibrationOptions co;
  co.max_tokens = 4000;
  auto table = std::make_shared<ChannelReorder>(calibrate_channel_reorder(t, m->tokenizer->encode(calib, true, false), co, nullptr, CancelToken()));
  auto tokens = tokenize_corpus(*m->tokenizer, test::read_text(test::asset("eval/tinystories/TinyStories-valid.head.txt")), "<|endoftext|>");
  std::vector<SweepCodec> codecs;
  for (const char* c : {"f32", "f16", "q8_0", "kivi-4", "kivi-2", "rotatekv-4", "rotatekv-2"}) codecs.push_back(SweepCodec::parse(c));
  SweepOptions o;
  o.ctx = 256;  // longer than KIVI's 128-token residual, or KIVI would quantize nothing
  o.reference = "f32";
  o.max_windows = 8;
  o.decode_max_windows = 1;
  o.base_options.reorder_source = [table]() { return table; };
  auto rows = kv_sweep(t, tokens, codecs, o, nullptr, CancelToken());
  ASSERT_EQ(rows.size(), 2 * (codecs.size() + 1));
  for (const char* protocol : {"prefill", "decode"}) {
    std::map<std::string, SweepRow> r;
    for (const auto& row : rows)
      if (row.protocol == protocol) r[row.codec] = row;
    EXPECT_EQ(r["f32"].delta_ppl, 0.0) << protocol;
    EXPECT_EQ(r["f32"].kld, 0.0) << protocol;
    EXPECT_NE(r["f16"].delta_ppl, 0.0) << protocol;                        // it does round
    EXPECT_LT(std::abs(r["f16"].delta_ppl) / r["f32"].ppl, 1e-3) << protocol;  // ... at rounding level
    EXPECT_LT(r["f16"].kld, 1e-4) << protocol;
    EXPECT_LT(std::abs(r["q8_0"].delta_ppl) / r["f32"].ppl, 0.02) << protocol;
    EXPECT_GT(r["kivi-2"].ppl, r["kivi-4"].ppl) << protocol;
    EXPECT_GT(r["rotatekv-2"].ppl, r["rotatekv-4"].ppl) << protocol;
    EXPECT_GT(r["kivi-2"].kld, r["kivi-4"].kld) << protocol;
    EXPECT_NEAR(r["q8_0"].bits_k, 8.5, 1e-9) << protocol;
    EXPECT_NEAR(r["f16"].bits_v, 16.0, 1e-9) << protocol;
    EXPECT_GT(r["rotatekv-2"].bits_k, 3.0) << protocol;  // 2 bits + f16 scale/zero per 32 + sinks + permutation
  }
}

// Windows run side by side (batch rows of one cache) must score exactly what they score one at a
// time, for every registered cache type and both protocols: a cache that mixed its batch rows
// (a shared scale, a pivot or residual window across rows) would differ here. 5 prefill and 3
// decode windows in groups of 2 also exercise the smaller last group.
TEST(KvSweep, BatchedWindowsScoreAsSingleWindows) {
  auto m = load_model(test::asset("llm/tinystories-656K"), LoadOptions());
  Transformer t(*m);
  const std::string calib = test::read_text(test::asset("eval/gsm8k/test.jsonl")).substr(0, 20000);
  CalibrationOptions co;
  co.max_tokens = 2000;
  auto table = std::make_shared<ChannelReorder>(calibrate_channel_reorder(t, m->tokenizer->encode(calib, true, false), co, nullptr, CancelToken()));
  auto tokens = tokenize_corpus(*m->tokenizer, test::read_text(test::asset("eval/tinystories/TinyStories-valid.head.txt")), "<|endoftext|>");
  std::vector<SweepCodec> codecs;
  for (const auto& name : kv_cache_types()) codecs.push_back(SweepCodec::parse(name));
  ASSERT_GE(codecs.size(), 8u);
  SweepOptions o;
  o.ctx = 160;  // past KIVI's 128-token residual window
  o.reference = "f32";
  o.max_windows = 5;
  o.decode_max_windows = 3;
  o.base_options.reorder_source = [table]() { return table; };
  auto single = kv_sweep(t, tokens, codecs, o, nullptr, CancelToken());
  o.batch = 2;
  auto batched = kv_sweep(t, tokens, codecs, o, nullptr, CancelToken());
  ASSERT_EQ(single.size(), batched.size());
  for (size_t i = 0; i < single.size(); ++i) {
    const std::string what = single[i].codec + " " + single[i].protocol;
    ASSERT_EQ(single[i].codec, batched[i].codec);
    EXPECT_EQ(batched[i].windows, single[i].protocol == "prefill" ? 5 : 3) << what;
    EXPECT_NEAR(batched[i].nll, single[i].nll, 1e-4 * single[i].nll) << what;
    EXPECT_NEAR(batched[i].kld, single[i].kld, 1e-4 + 1e-3 * single[i].kld) << what;
    EXPECT_NEAR(batched[i].bits_k, single[i].bits_k, 1e-6 * single[i].bits_k) << what;
    EXPECT_NEAR(batched[i].bits_v, single[i].bits_v, 1e-6 * single[i].bits_v) << what;
  }
}

// A sweep stopped by a time limit keeps what it measured (--keep-partial): cancelled after the
// first group of 2 prefill windows, it returns that protocol's rows over 2 windows, equal to a
// 2-window sweep, and runs no later protocol; without keep_partial Cancel is an error.
TEST(KvSweep, AStoppedSweepKeepsTheWindowsItFinished) {
  auto m = load_model(test::asset("llm/stories260K/stories260K.gguf"), LoadOptions());
  Transformer t(*m);
  auto tokens = tokenize_corpus(*m->tokenizer, test::read_text(test::asset("eval/tinystories/TinyStories-valid.head.txt")), "<|endoftext|>");
  const std::vector<SweepCodec> codecs = {SweepCodec::parse("q8_0"), SweepCodec::parse("kivi-2")};
  SweepOptions o;
  o.ctx = 128;
  o.reference = "f32";
  o.max_windows = 6;
  o.batch = 2;
  o.keep_partial = true;
  CancelToken cancel;
  auto rows = kv_sweep(t, tokens, codecs, o, [&](long long, long long) { cancel.cancel(); }, cancel);
  ASSERT_EQ(rows.size(), codecs.size() + 1);  // prefill only: decode never started
  for (const auto& r : rows) {
    EXPECT_EQ(r.protocol, "prefill");
    EXPECT_EQ(r.windows, 2);
  }
  SweepOptions two = o;
  two.max_windows = 2;
  two.protocols = {EvalProtocol::kPrefill};
  two.keep_partial = false;
  const auto want = kv_sweep(t, tokens, codecs, two, nullptr, CancelToken());
  for (size_t i = 0; i < rows.size(); ++i) EXPECT_DOUBLE_EQ(rows[i].ppl, want[i].ppl) << rows[i].codec;
  o.keep_partial = false;
  CancelToken again;
  EXPECT_THROW(kv_sweep(t, tokens, codecs, o, [&](long long, long long) { again.cancel(); }, again), Error);
}

}  // namespace
}  // namespace qs
