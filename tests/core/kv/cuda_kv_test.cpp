// CUDA build only: every KV codec runs generation and both ppl protocols on the GPU with the same
// LibTorch code as on the CPU, and its perplexity matches the CPU's. Float results differ in the
// last bits between devices; a value on a rounding boundary then gets the neighbouring code, and
// these models' attention logits (std ~20, kv-analyze) amplify one flipped code, hence 5%.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>

#include "core/kv/kv_cache.h"
#include "core/kv/quantized_cache.h"
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

// The fused decode kernels inside the runtime, on the real models: the same stores read by the
// fused kernel and by the reference path (dequantize + attention) give logits that agree to f16
// rounding, and greedy text from both is compared token by token (divergences are printed).
// stories260K (head_dim 8) has no fused kernel: its steps must say so and take the reference path.
TEST(CudaFused, DecodeMatchesTheReferencePathOnTheRealModels) {
  for (const char* rel : {"llm/stories260K/stories260K.gguf", "llm/tinystories-656K"}) {
    LoadOptions go;
    go.device = at::Device(at::kCUDA);
    auto gpu = load_model(test::asset(rel), go);
    Transformer tg(*gpu);
    auto tokens = tokenize_corpus(*gpu->tokenizer, test::read_text(test::asset("eval/tinystories/TinyStories-valid.head.txt")), "<|endoftext|>");
    tokens.resize(200);
    auto ids = [&](size_t from, size_t to) {
      return at::tensor(std::vector<int64_t>(tokens.begin() + long(from), tokens.begin() + long(to)), at::kLong).view({1, long(to - from)});
    };
    for (const auto& codec : kv_cache_types()) {
      KvOptions kv = KvOptions::parse(codec.rfind("rotatekv", 0) == 0 ? "reorder=none" : "");
      auto fused = tg.make_cache(codec, codec, 256, 1, kv), ref = tg.make_cache(codec, codec, 256, 1, kv);
      auto* fq = dynamic_cast<QuantizedCache*>(fused.get());
      auto* rq = dynamic_cast<QuantizedCache*>(ref.get());
      if (!fq) continue;  // full-precision caches have no fused path
      rq->use_fused_kernels(false);
      double worst = 0;
      int same_argmax = 0, steps = 0;
      tg.forward(ids(0, 40), *fused), tg.forward(ids(0, 40), *ref);
      for (size_t i = 40; i < 200; ++i, ++steps) {
        at::Tensor a = tg.forward(ids(i, i + 1), *fused)[0][0], b = tg.forward(ids(i, i + 1), *ref)[0][0];
        worst = std::max(worst, (a - b).abs().max().item<double>());
        same_argmax += a.argmax().item<int64_t>() == b.argmax().item<int64_t>();
      }
      const auto& paths = fq->decode_paths();
      // Greedy continuations from the same prefix through both paths.
      auto greedy = [&](KvCache& c) {
        c.clear();
        std::vector<int64_t> out;
        at::Tensor next = tg.forward(ids(0, 8), c, true).argmax(-1);
        for (int g = 0; g < 64; ++g) out.push_back(next.item<int64_t>()), next = tg.forward(next, c, true).argmax(-1);
        return out;
      };
      const auto ga = greedy(*fused), gb = greedy(*ref);
      size_t first = 0;
      while (first < ga.size() && ga[first] == gb[first]) ++first;
      std::cout << rel << " " << codec << ": fused steps " << paths.fused << ", reference steps " << paths.reference << (paths.reason.empty() ? "" : " (" + paths.reason + ")")
                << "; max |dlogit| " << worst << ", same argmax " << same_argmax << "/" << steps << "; greedy 64 tokens "
                << (first == ga.size() ? "identical" : "first differ at token " + std::to_string(first)) << "\n";
      const bool hd_supported = gpu->config.head_dim >= 16;
      const bool pre_rope = codec.rfind("rotatekv-", 0) == 0 && codec != "rotatekv-post-2";
      const bool kivi = codec.rfind("kivi", 0) == 0;
      const bool three_bit = codec == "rotatekv-3";
      if (hd_supported && !pre_rope && !kivi && !three_bit) {
        EXPECT_GT(paths.fused, 0) << codec;
        EXPECT_EQ(paths.reference, 0) << codec << ": " << paths.reason;
      } else {
        EXPECT_GT(paths.reference, 0) << codec;
        EXPECT_FALSE(paths.reason.empty()) << codec;
      }
      EXPECT_LT(worst, 0.05) << rel << " " << codec;
      EXPECT_GE(same_argmax, steps - 2) << rel << " " << codec;
    }
  }
}

}  // namespace
}  // namespace qs
