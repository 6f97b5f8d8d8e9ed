// The generic quantized cache on the real stories260K / TinyStories-656K models.
#include "core/kv/quantized_cache.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/common/error.h"
#include "core/kv/channel_reorder.h"
#include "core/kv/massive_activations.h"
#include "core/llm/calibrate/reorder_calibration.h"
#include "core/llm/eval/perplexity.h"
#include "core/llm/generate/generator.h"
#include "core/llm/tokenizer/tokenizer.h"
#include "tests/support/test_support.h"

namespace qs {
namespace {

std::unique_ptr<LoadedModel> load(const std::string& which) {
  LoadOptions o;
  return load_model(test::asset(which == "stories" ? "llm/stories260K/stories260K.gguf" : "llm/tinystories-656K"), o);
}

std::vector<int32_t> story_tokens(const LoadedModel& m, size_t n) {
  auto t = tokenize_corpus(*m.tokenizer, test::read_text(test::asset("eval/tinystories/TinyStories-valid.head.txt")), "<|endoftext|>");
  t.resize(std::min(n, t.size()));
  return t;
}

at::Tensor ids(const std::vector<int32_t>& t, size_t from, size_t to) {
  return at::tensor(std::vector<int64_t>(t.begin() + long(from), t.begin() + long(to)), at::kLong).view({1, long(to - from)});
}

// Logits of a 40-token prefill followed by 20 single-token steps.
at::Tensor run(const Transformer& t, KvCache& cache, const std::vector<int32_t>& tok) {
  std::vector<at::Tensor> out{t.forward(ids(tok, 0, 40), cache)[0]};
  for (size_t i = 40; i < 60; ++i) out.push_back(t.forward(ids(tok, i, i + 1), cache)[0]);
  return at::cat(out);
}

KvShape shape_of(const Transformer& t, int64_t max_tokens) {
  const ModelConfig& c = t.config();
  KvShape s;
  s.n_layers = c.n_layers, s.n_heads = c.n_heads, s.n_kv_heads = c.n_kv_heads, s.head_dim = c.head_dim, s.max_tokens = max_tokens;
  return s;
}

SideConfig full_precision_side(const KvShape& s, at::ScalarType dt) {
  SideConfig c;
  c.fp_dtype = dt;
  TokenPolicy p;
  p.full_precision = true;
  c.layers.assign(size_t(s.n_layers), p);
  return c;
}

std::shared_ptr<ChannelReorder> random_reorder(const KvShape& s) {
  auto r = std::make_shared<ChannelReorder>();
  r->n_layers = s.n_layers, r->n_kv_heads = s.n_kv_heads, r->head_dim = s.head_dim;
  std::vector<at::Tensor> pre, post;
  for (int64_t l = 0; l < s.n_layers; ++l) {
    pre.push_back(at::randperm(s.n_kv_heads * s.head_dim, at::kLong));
    std::vector<at::Tensor> h;
    for (int64_t k = 0; k < s.n_kv_heads; ++k) h.push_back(at::randperm(s.head_dim, at::kLong));
    post.push_back(at::stack(h));
  }
  r->pre = at::stack(pre);
  r->post = at::stack(post);
  return r;
}

TEST(QuantizedCache, FullPrecisionSidesMatchTheRuntimeCacheBitForBit) {
  auto m = load("stories");
  Transformer t(*m);
  auto tok = story_tokens(*m, 60);
  for (auto dt : {at::kFloat, at::kHalf}) {
    const std::string name = dt == at::kFloat ? "f32" : "f16";
    auto reference = t.make_cache(name, name, 64);
    KvShape s = shape_of(t, 64);
    QuantizedCache generic(s, full_precision_side(s, dt), full_precision_side(s, dt), name, name);
    EXPECT_TRUE(at::equal(run(t, *reference, tok), run(t, generic, tok))) << name;
  }
}

TEST(QuantizedCache, F32CodecGenerationIsIdenticalAndF16DiffersOnlyByRounding) {
  auto m = load("stories");
  Transformer t(*m);
  auto tok = story_tokens(*m, 60);
  auto f32 = t.make_cache("f32", "f32", 64), f16 = t.make_cache("f16", "f16", 64);
  at::Tensor a = run(t, *f32, tok), b = run(t, *f16, tok);
  const double d = (a - b).abs().max().item<double>();
  EXPECT_GT(d, 0.0);
  EXPECT_LT(d, 2e-2);  // keys/values rounded to 11 significant bits
  EXPECT_TRUE(at::equal(a.argmax(-1), b.argmax(-1)));
  // Greedy generation with the f32 codec equals the runtime's full-precision generation.
  GenerateOptions o;
  o.max_new_tokens = 60;
  o.sampling = SamplingParams::greedy();
  Generator g1(t, t.make_cache("f32", "f32", 128));
  KvShape s = shape_of(t, 128);
  Generator g2(t, std::make_unique<QuantizedCache>(s, full_precision_side(s, at::kFloat), full_precision_side(s, at::kFloat), "f32", "f32"));
  EXPECT_EQ(g1.generate({1}, o, nullptr, CancelToken()).tokens, g2.generate({1}, o, nullptr, CancelToken()).tokens);
}

// With 8 bits and groups of one element the quantizer is near-lossless (each value is an end of its
// own range; only the f16 scale rounds), so every storage basis must read back what was stored: a
// wrong inverse permutation, Hadamard or RoPE would show as a large error.
TEST(QuantizedCache, EightBitsInEveryBasisTrackFullPrecision) {
  auto m = load("stories");
  Transformer t(*m);
  auto tok = story_tokens(*m, 60);
  auto reference = t.make_cache("f32", "f32", 64);
  at::Tensor ref = run(t, *reference, tok);
  KvShape s = shape_of(t, 64);
  TokenPolicy p;
  p.quant.bits = 8;
  p.quant.group = 1;
  auto reorder = random_reorder(s);
  struct Case { KvBasis k; bool reorder; KvBasis v; };
  for (Case c : {Case{KvBasis::kPlain, false, KvBasis::kPlain}, Case{KvBasis::kHeadHadamard, true, KvBasis::kHeadHadamard},
                 Case{KvBasis::kPreRopeGrouped, true, KvBasis::kHeadHadamard}, Case{KvBasis::kPreRopeGrouped, false, KvBasis::kPlain}}) {
    SideConfig k, v;
    k.basis = c.k, k.reorder = c.reorder, k.reorder_table = reorder, k.head_group = 4;
    k.layers.assign(size_t(s.n_layers), p);
    v.basis = c.v;
    v.layers.assign(size_t(s.n_layers), p);
    QuantizedCache cache(s, k, v, "k8", "v8");
    at::Tensor out = run(t, cache, tok);
    EXPECT_LT((out - ref).abs().max().item<double>(), 0.1) << int(c.k) << " " << c.reorder;
    EXPECT_TRUE(at::equal(out.argmax(-1), ref.argmax(-1)));
  }
}

TEST(QuantizedCache, KiviNeverKeepsAKeyUnquantizedPastTheResidual) {
  auto m = load("stories");
  Transformer t(*m);
  auto tok = story_tokens(*m, 200);
  KvOptions o = KvOptions::parse("residual=32");
  auto cache = t.make_cache("kivi-2", "kivi-2", 256, 1, o);
  auto* q = dynamic_cast<QuantizedCache*>(cache.get());
  ASSERT_NE(q, nullptr);
  struct Taps : TapObserver {
    bool wants(Tap tap, int l) const override { return l == 0 && (tap == Tap::kKPostRope || tap == Tap::kKDequant); }
    void on_tap(Tap tap, int, const at::Tensor& x) override { (tap == Tap::kKPostRope ? post : deq) = x; }
    at::Tensor post, deq;
  } taps;
  std::vector<at::Tensor> exact;
  t.forward(ids(tok, 0, 45), *cache, false, &taps);
  exact.push_back(taps.post);
  for (size_t i = 45; i < 200; ++i) {
    t.forward(ids(tok, i, i + 1), *cache, false, &taps);
    exact.push_back(taps.post);
    const int64_t len = int64_t(i) + 1;
    for (int l = 0; l < int(t.config().n_layers); ++l) {
      EXPECT_EQ(q->key_store(l).quantized_length(), len / 32 * 32) << len;          // whole residuals at a time
      EXPECT_EQ(q->value_store(l).quantized_length(), std::max<int64_t>(0, len - 32));  // one by one
    }
  }
  // The quantized keys really are quantized (not silently exact); the residual is exact.
  at::Tensor all = at::cat(exact, 2);
  const int64_t qlen = q->key_store(0).quantized_length();
  EXPECT_GT((taps.deq.narrow(2, 0, qlen) - all.narrow(2, 0, qlen)).abs().max().item<float>(), 1e-3);
  EXPECT_LT((taps.deq.narrow(2, qlen, 200 - qlen) - all.narrow(2, qlen, 200 - qlen)).abs().max().item<float>(), 1e-2);  // f16 residual
  EXPECT_THROW(t.make_cache("kivi-2", "kivi-2", 64, 1, KvOptions::parse("residual=40")), Error);  // not a multiple of G
}

TEST(QuantizedCache, SinkTokensKeepFullPrecisionKeysAndValues) {
  auto m = load("stories");
  Transformer t(*m);
  auto tok = story_tokens(*m, 80);
  auto cache = t.make_cache("rotatekv-2", "rotatekv-2", 128, 1, KvOptions::parse("reorder=none"));
  auto* q = dynamic_cast<QuantizedCache*>(cache.get());
  struct Taps : TapObserver {
    bool wants(Tap tap, int) const override { return tap == Tap::kLayerInput; }
    void on_tap(Tap, int l, const at::Tensor& x) override { inputs.resize(size_t(l) + 1), inputs[size_t(l)] = x; }
    std::vector<at::Tensor> inputs;
  } taps;
  t.forward(ids(tok, 0, 80), *cache, false, &taps);
  for (int l = 0; l < int(t.config().n_layers); ++l) {
    at::Tensor expected = massive_activation_tokens(taps.inputs[size_t(l)], 20);
    EXPECT_TRUE(at::equal(q->full_precision_keys(l), expected)) << l;
    EXPECT_TRUE(at::equal(q->full_precision_values(l), expected)) << l;
  }
}

TEST(QuantizedCache, MeasuredMemoryEqualsTheReportedFootprint) {
  auto m = load("tiny");
  Transformer t(*m);
  auto tok = story_tokens(*m, 300);
  KvShape s = shape_of(t, 300);
  const int64_t C = s.n_kv_heads * s.head_dim;
  for (const std::string codec : {"q8_0", "q4_0", "kivi-2", "kivi-4", "rotatekv-2", "rotatekv-post-2", "akvq-2", "f16"}) {
    const std::string opts = codec.rfind("rotatekv", 0) == 0 ? "reorder=none,sinks=0" : codec == "akvq-2" ? "pivots=0" : "";
    for (size_t n : {1, 100, 129, 300}) {
      KvShape sh = s;
      sh.options = KvOptions::parse(opts);
      SideConfig k = kv_side_registry().get(codec).factory(sh, KvRole::kKey), v = kv_side_registry().get(codec).factory(sh, KvRole::kValue);
      auto cache = t.make_cache(codec, codec, 300, 1, KvOptions::parse(opts));
      t.forward(ids(tok, 0, n), *cache);
      EXPECT_EQ(cache->side_memory(KvRole::kKey).total(), side_footprint(k, int64_t(n), C).bytes) << codec << " " << n;
      EXPECT_EQ(cache->side_memory(KvRole::kValue).total(), side_footprint(v, int64_t(n), C).bytes) << codec << " " << n;
    }
  }
}

// Storing the prompt with KvCache::append (no attention) stores what attend stores, for the
// runtime's cache and for quantized ones.
TEST(QuantizedCache, AppendStoresWhatAttendStores) {
  auto m = load("tiny");
  Transformer t(*m);
  auto tok = story_tokens(*m, 80);
  for (const std::string codec : {"f16", "q8_0", "kivi-2", "akvq-2", "rotatekv-post-2"}) {
    const KvOptions opts = KvOptions::parse(codec == "rotatekv-post-2" ? "reorder=none" : codec == "kivi-2" ? "residual=32" : "");
    auto attended = t.make_cache(codec, codec, 128, 1, opts), by_append = t.make_cache(codec, codec, 128, 1, opts);
    t.forward(ids(tok, 0, 64), *attended);
    // The same prompt through a cache that stores every layer's input by append and returns no
    // attention: layer 0's inputs do not depend on attention, so its stores must match.
    struct Recorder : KvCache {
      KvCache& inner;
      explicit Recorder(KvCache& c) : inner(c) {}
      at::Tensor attend(int layer, const AttentionInput& in, const Rope& rope, TapObserver* taps) override {
        inner.append(layer, in, rope, taps);
        return at::zeros_like(in.q);  // later layers see other inputs: only layer 0 is compared
      }
      void append(int layer, const AttentionInput& in, const Rope& rope, TapObserver* taps) override { inner.append(layer, in, rope, taps); }
      int64_t length() const override { return inner.length(); }
      void clear() override { inner.clear(); }
      void truncate(int64_t n) override { inner.truncate(n); }
      KvMemory memory() const override { return inner.memory(); }
      KvMemory side_memory(KvRole r) const override { return inner.side_memory(r); }
      std::string k_type() const override { return inner.k_type(); }
      std::string v_type() const override { return inner.v_type(); }
    } recorder(*by_append);
    t.forward(ids(tok, 0, 64), recorder);
    EXPECT_EQ(by_append->length(), 64) << codec;
    if (auto* qa = dynamic_cast<QuantizedCache*>(attended.get())) {
      auto* qb = dynamic_cast<QuantizedCache*>(by_append.get());
      ASSERT_NE(qb, nullptr);
      EXPECT_TRUE(at::equal(qa->key_store(0).read(at::kFloat), qb->key_store(0).read(at::kFloat))) << codec;
      EXPECT_TRUE(at::equal(qa->value_store(0).read(at::kFloat), qb->value_store(0).read(at::kFloat))) << codec;
    }
    EXPECT_EQ(attended->side_memory(KvRole::kKey).total(), by_append->side_memory(KvRole::kKey).total()) << codec;
  }
}

// Head-major token rows read back exactly as the one-segment layout: same values, same bytes.
TEST(QuantizedCache, HeadMajorTokenRowsReadBackLikeRows) {
  at::manual_seed(3);
  for (const QuantScheme scheme : {QuantScheme::kLlamaQ8_0, QuantScheme::kLlamaQ4_0, QuantScheme::kAsymmetric}) {
    QuantSpec q;
    q.scheme = scheme, q.bits = scheme == QuantScheme::kLlamaQ8_0 ? 8 : scheme == QuantScheme::kLlamaQ4_0 ? 4 : 2, q.group = 32;
    PackedTokenStore rows(q, 128, 64, 1), heads(q, 128, 64, 4);
    EXPECT_EQ(rows.heads(), 1);
    EXPECT_EQ(heads.heads(), 4);
    for (int64_t T : {1, 7, 20}) {
      at::Tensor x = at::randn({2, T, 128});
      rows.append(x), heads.append(x);
    }
    EXPECT_TRUE(at::equal(rows.read(), heads.read()));
    EXPECT_EQ(rows.code_bytes(), heads.code_bytes());
    EXPECT_EQ(rows.meta_bytes(), heads.meta_bytes());
    EXPECT_EQ(heads.codes().sizes(), (std::vector<int64_t>{2, 4, heads.codes().size(2), 32 * q.bits / 8}));
  }
  QuantSpec wide;  // a group spanning two heads keeps one segment per row
  wide.group = 64;
  EXPECT_EQ(PackedTokenStore(wide, 128, 64, 4).heads(), 1);
}

TEST(QuantizedCache, TruncateAndClearKeepTheCacheUsable) {
  auto m = load("stories");
  Transformer t(*m);
  auto tok = story_tokens(*m, 200);
  for (const std::string codec : {"kivi-2", "q4_0", "akvq-2"}) {
    auto cache = t.make_cache(codec, codec, 256, 1, KvOptions::parse(codec == "kivi-2" ? "residual=32" : ""));
    t.forward(ids(tok, 0, 150), *cache);
    cache->truncate(70);
    EXPECT_EQ(cache->length(), 70);
    at::Tensor out = t.forward(ids(tok, 70, 71), *cache);
    EXPECT_TRUE(at::isfinite(out).all().item<bool>());
    EXPECT_EQ(cache->length(), 71);
    cache->clear();
    EXPECT_EQ(cache->length(), 0);
    EXPECT_EQ(cache->memory().total(), 0);
  }
}

TEST(QuantizedCache, EveryCodecRunsGenerationAndBothProtocolsOnBothModels) {
  const std::string calib = test::read_text(test::asset("eval/gsm8k/test.jsonl")).substr(0, 20000);
  for (const std::string which : {"stories", "tiny"}) {
    auto m = load(which);
    Transformer t(*m);
    CalibrationOptions co;
    co.max_tokens = 2000;
    auto table = std::make_shared<ChannelReorder>(calibrate_channel_reorder(t, m->tokenizer->encode(calib, true, false), co, nullptr, CancelToken()));
    EXPECT_TRUE(is_permutation_rows(table->pre) && is_permutation_rows(table->post));
    auto tokens = story_tokens(*m, 400);
    for (const auto& codec : kv_cache_types()) {
      KvOptions kv;
      kv.reorder_source = [table]() { return table; };
      for (EvalProtocol p : {EvalProtocol::kPrefill, EvalProtocol::kDecode}) {
        PerplexityOptions o;
        o.ctx = 64, o.max_windows = 1, o.k_type = o.v_type = codec, o.protocol = p, o.kv_options = kv;
        PerplexityResult r = perplexity(t, tokens, o, nullptr, CancelToken());
        EXPECT_TRUE(std::isfinite(r.ppl()) && r.ppl() > 1 && r.ppl() < double(m->config.vocab)) << which << " " << codec << " " << r.ppl();
      }
      Generator g(t, t.make_cache(codec, codec, 64, 1, kv));
      GenerateOptions go;
      go.max_new_tokens = 12;
      go.sampling = SamplingParams::greedy();
      EXPECT_EQ(g.generate({m->tokenizer->bos()}, go, nullptr, CancelToken()).tokens.size(), 12u) << which << " " << codec;
    }
  }
}

TEST(QuantizedCache, UnknownTypesAndOptionsAreClearErrors) {
  auto m = load("stories");
  Transformer t(*m);
  try {
    t.make_cache("q3_k", "f16", 64);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown KV cache type 'q3_k'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(t.make_cache("f16", "kivi-9", 64), Error);
  EXPECT_THROW(t.make_cache("q8_0", "q8_0", 64, 1, KvOptions::parse("group=16")), Error);  // q8_0 has no group option
  EXPECT_THROW(t.make_cache("rotatekv-2", "rotatekv-2", 64, 1, KvOptions::parse("reorder=none,group=7")), Error);
  EXPECT_THROW(t.make_cache("rotatekv-2", "rotatekv-2", 64), Error);  // no reorder source
  EXPECT_THROW(t.make_cache("akvq-2", "akvq-2", 64, 1, KvOptions::parse("tsa=9")), Error);
  EXPECT_THROW(KvOptions::parse("group"), Error);
  EXPECT_THROW(t.make_cache("akvq-2", "akvq-2", 64, 1, KvOptions::parse("window=-1")), Error);
  EXPECT_THROW(t.make_cache("rotatekv-2", "rotatekv-2", 64, 1, KvOptions::parse("reorder=none,sinks=-3")), Error);
  EXPECT_THROW(t.make_cache("kivi-2", "kivi-2", 64, 1, KvOptions::parse("residual=0")), Error);
  EXPECT_THROW(t.make_cache("rotatekv-2", "rotatekv-2", 64, 1, KvOptions::parse("reorder=none,clip=1.5")), Error);
  EXPECT_THROW(t.make_cache("rotatekv-2", "rotatekv-2", 64, 1, KvOptions::parse("reorder=none,meta=fp4")), Error);
}

}  // namespace
}  // namespace qs
