// CUDA build only: every KV codec runs generation and both ppl protocols on the GPU with the same
// LibTorch code as on the CPU, and its perplexity matches the CPU's. Float results differ in the
// last bits between devices; a value on a rounding boundary then gets the neighbouring code, and
// these models' attention logits (std ~20, kv-analyze) amplify one flipped code, hence 5%.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>

#include "core/kv/kv_cache.h"
#include "core/llm/calibrate/reorder_calibration.h"
#include "core/llm/eval/perplexity.h"
#include "core/llm/generate/generator.h"
#include "core/llm/tokenizer/tokenizer.h"
#include "tests/support/test_support.h"

namespace qs {
namespace {

TEST(CudaKv, EveryCodecRunsAndMatchesTheCpu) {
  const std::string calib = test::read_text(test::asset("eval/gsm8k/test.jsonl")).substr(0, 20000);
  for (const char* rel : {"llm/stories260K/stories260K.gguf", "llm/tinystories-656K"}) {
    LoadOptions co, go;
    go.device = at::Device(at::kCUDA);
    auto cpu = load_model(test::asset(rel), co), gpu = load_model(test::asset(rel), go);
    Transformer tc(*cpu), tg(*gpu);
    CalibrationOptions cal;
    cal.max_tokens = 2000;
    auto tokens_cal = cpu->tokenizer->encode(calib, true, false);
    auto table_c = std::make_shared<ChannelReorder>(calibrate_channel_reorder(tc, tokens_cal, cal, nullptr, CancelToken()));
    auto table_g = std::make_shared<ChannelReorder>(calibrate_channel_reorder(tg, tokens_cal, cal, nullptr, CancelToken()));
    EXPECT_TRUE(at::equal(table_c->pre, table_g->pre)) << rel;  // argsort of sums: ties aside, the same
    auto tokens = tokenize_corpus(*cpu->tokenizer, test::read_text(test::asset("eval/tinystories/TinyStories-valid.head.txt")), "<|endoftext|>");
    for (const auto& codec : kv_cache_types()) {
      for (EvalProtocol p : {EvalProtocol::kPrefill, EvalProtocol::kDecode}) {
        PerplexityOptions o;
        o.ctx = 192, o.max_windows = 1, o.k_type = o.v_type = codec, o.protocol = p;
        o.kv_options.reorder_source = [table_c]() { return table_c; };
        const double c = perplexity(tc, tokens, o, nullptr, CancelToken()).ppl();
        const double g = perplexity(tg, tokens, o, nullptr, CancelToken()).ppl();
        std::cout << rel << " " << codec << " " << (p == EvalProtocol::kPrefill ? "prefill" : "decode") << " cpu " << c << " cuda " << g << "\n";
        EXPECT_TRUE(std::isfinite(g)) << codec;
        EXPECT_LT(std::abs(g - c) / c, 0.05) << rel << " " << codec;
      }
      KvOptions kv;
      kv.reorder_source = [table_c]() { return table_c; };
      Generator gen(tg, tg.make_cache(codec, codec, 64, 1, kv));
      GenerateOptions o;
      o.max_new_tokens = 12;
      o.sampling = SamplingParams::greedy();
      EXPECT_EQ(gen.generate({gpu->tokenizer->bos()}, o, nullptr, CancelToken()).tokens.size(), 12u) << codec;
    }
  }
}

}  // namespace
}  // namespace qs
