// train-lm's trainer on the CPU with the "tiny" shape and the reference tokenizer, on the GPL-3
// text every Debian system ships (/usr/share/common-licenses; never the evaluation texts): the
// loss falls, a resumed run equals the uninterrupted one bit for bit, and bad input is refused.
#include <ATen/core/grad_mode.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/common/error.h"
#include "core/llm/tokenizer/tokenizer.h"
#include "core/llm/tokenizer/vocab_loaders.h"
#include "core/llm/model/transformer.h"
#include "core/llm/train/hf_export.h"
#include "core/llm/train/lm_trainer.h"
#include "tests/support/test_support.h"

namespace qs {
namespace {

struct Corpus {
  std::shared_ptr<Tokenizer> tok;
  std::vector<int32_t> train, heldout;
};

const Corpus& corpus() {
  static const Corpus c = [] {
    Corpus out;
    out.tok = tokenizer_from_spm_model(std::string(QS_RESOURCES_DIR) + "/models/qs-ref-tokenizer/tokenizer.model");
    std::ifstream f("/usr/share/common-licenses/GPL-3");
    std::stringstream text;
    text << f.rdbuf();
    std::vector<int32_t> ids = out.tok->encode(text.str(), false, false);
    const size_t cut = ids.size() * 9 / 10;
    out.train.assign(ids.begin(), ids.begin() + long(cut));
    out.heldout.assign(ids.begin() + long(cut), ids.end());
    return out;
  }();
  return c;
}

TrainOptions tiny_options(int64_t steps) {
  TrainOptions o;
  o.steps = steps, o.batch = 4, o.seq_len = 32, o.accum = 2, o.warmup = 4, o.lr = 3e-3, o.min_lr = 3e-4, o.seed = 7;
  return o;
}

ModelConfig tiny() { return lm_preset("tiny", corpus().tok->n_vocab()); }

TEST(LmTrainer, TheLossFallsOnRealText) {
  ASSERT_GT(corpus().train.size(), 5000u);
  LmTrainer t(tiny(), tiny_options(40), corpus().train, corpus().tok->bos());
  const double held_before = t.eval_loss(corpus().heldout, 8);
  std::vector<double> losses;
  for (int i = 0; i < 40; ++i) losses.push_back(t.step().loss);
  const double first = (losses[0] + losses[1] + losses[2]) / 3, last = (losses[37] + losses[38] + losses[39]) / 3;
  const double held_after = t.eval_loss(corpus().heldout, 8);
  std::cout << "train loss " << first << " -> " << last << ", held-out " << held_before << " -> " << held_after << "\n";
  EXPECT_NEAR(first, std::log(double(tiny().vocab)), 0.5);  // starts near uniform
  EXPECT_LT(last, first - 2.0);
  EXPECT_LT(held_after, held_before - 1.0);
}

TEST(LmTrainer, ResumingFromACheckpointEqualsTheUninterruptedRun) {
  test::TempDir dir;
  LmTrainer whole(tiny(), tiny_options(12), corpus().train, corpus().tok->bos());
  for (int i = 0; i < 12; ++i) whole.step();
  LmTrainer first(tiny(), tiny_options(12), corpus().train, corpus().tok->bos());
  for (int i = 0; i < 6; ++i) first.step();
  first.save_checkpoint(dir.file("ckpt.pt"));
  LmTrainer second(tiny(), tiny_options(12), corpus().train, corpus().tok->bos());
  second.load_checkpoint(dir.file("ckpt.pt"));
  EXPECT_EQ(second.steps_done(), 6);
  for (int i = 0; i < 6; ++i) second.step();
  const ModelWeights& a = whole.model().weights;
  const ModelWeights& b = second.model().weights;
  EXPECT_TRUE(at::equal(a.tok_embd, b.tok_embd));
  EXPECT_TRUE(at::equal(a.output, b.output));
  for (size_t i = 0; i < a.layers.size(); ++i) {
    EXPECT_TRUE(at::equal(a.layers[i].wq, b.layers[i].wq)) << i;
    EXPECT_TRUE(at::equal(a.layers[i].w_down, b.layers[i].w_down)) << i;
    EXPECT_TRUE(at::equal(a.layers[i].attn_norm, b.layers[i].attn_norm)) << i;
  }
}

TEST(LmTrainer, BadInputIsRefusedNamingTheProblem) {
  test::TempDir dir;
  const int32_t bos = corpus().tok->bos();
  auto throws_with = [](auto&& fn, const std::string& says) {
    try {
      fn();
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
      return;
    }
    ADD_FAILURE() << "no error, expected: " << says;
  };
  throws_with([&] { LmTrainer t(tiny(), tiny_options(1), std::vector<int32_t>(10, 5), bos); }, "fewer than one window");
  throws_with([&] { LmTrainer t(tiny(), tiny_options(1), std::vector<int32_t>(100, 999999), bos); }, "outside the model's vocabulary");
  // A checkpoint of another shape is refused and names both.
  LmTrainer a(tiny(), tiny_options(1), corpus().train, bos);
  a.save_checkpoint(dir.file("a.pt"));
  ModelConfig wider = tiny();
  wider.dim = 96, wider.ffn_dim = 256;
  LmTrainer b(wider, tiny_options(1), corpus().train, bos);
  throws_with([&] { b.load_checkpoint(dir.file("a.pt")); }, "holds a model of 2 layers, dim 64");
  std::ofstream(dir.file("junk.pt")) << "not a checkpoint";
  throws_with([&] { b.load_checkpoint(dir.file("junk.pt")); }, "is not a train-lm checkpoint");
  // A learning rate that blows up: the step that sees a non-finite loss updates nothing.
  TrainOptions wild = tiny_options(30);
  wild.lr = 1e4, wild.min_lr = 1e4, wild.warmup = 0, wild.clip = 1e30;
  LmTrainer c(tiny(), wild, corpus().train, bos);
  throws_with([&] {
    for (int i = 0; i < 30; ++i) c.step();
  }, "the loss became");
}

// The Hugging Face folder a trained model is written to loads through the runtime's HF path
// with every weight equal bit for bit and the same logits, whole or in shards.
TEST(LmTrainer, TheExportedFolderLoadsBackBitExact) {
  test::TempDir dir;
  LmTrainer t(tiny(), tiny_options(3), corpus().train, corpus().tok->bos());
  for (int i = 0; i < 3; ++i) t.step();
  const std::string tok = std::string(QS_RESOURCES_DIR) + "/models/qs-ref-tokenizer/tokenizer.model";
  const at::Tensor prompt = at::tensor(std::vector<int64_t>{1, 351, 683, 6877, 910, 1328}).view({1, -1});
  auto logits = [&](const LoadedModel& m) {
    at::NoGradGuard no_grad;
    Transformer net(m);
    auto cache = net.make_cache("f32", "f32", prompt.size(1), 1);
    return net.forward(prompt, *cache);
  };
  const at::Tensor want = logits(t.model());
  for (int64_t shard_bytes : {int64_t(15) << 20, int64_t(1) << 20}) {
    const std::string folder = dir.file("hf-" + std::to_string(shard_bytes));
    HfExportOptions o;
    o.tokenizer_model = tok, o.max_file_bytes = shard_bytes;
    export_hf_folder(t.model(), folder, o);
    EXPECT_EQ(std::filesystem::exists(folder + "/model.safetensors.index.json"), shard_bytes < (int64_t(2) << 20));
    auto back = load_model(folder, LoadOptions{});
    const ModelWeights& a = t.model().weights;
    const ModelWeights& b = back->weights;
    EXPECT_TRUE(at::equal(a.tok_embd, b.tok_embd));
    EXPECT_TRUE(at::equal(a.output, b.output));
    for (size_t i = 0; i < a.layers.size(); ++i) EXPECT_TRUE(at::equal(a.layers[i].wk, b.layers[i].wk) && at::equal(a.layers[i].w_up, b.layers[i].w_up)) << i;
    EXPECT_EQ(back->tokenizer->encode("The kernel maps", false, false), corpus().tok->encode("The kernel maps", false, false));
    EXPECT_TRUE(at::equal(logits(*back), want));
  }
  // bf16: the folder holds the weights rounded to bf16, and loads as exactly those.
  HfExportOptions half;
  half.tokenizer_model = tok, half.dtype = at::kBFloat16;
  export_hf_folder(t.model(), dir.file("hf-bf16"), half);
  auto back = load_model(dir.file("hf-bf16"), LoadOptions{});
  EXPECT_TRUE(at::equal(back->weights.layers[1].wq, t.model().weights.layers[1].wq.detach().to(at::kBFloat16).to(at::kFloat)));
  EXPECT_TRUE(at::equal(back->weights.tok_embd, t.model().weights.tok_embd.detach().to(at::kBFloat16).to(at::kFloat)));
  HfExportOptions again;
  again.tokenizer_model = tok;
  EXPECT_THROW(export_hf_folder(t.model(), dir.file("hf-" + std::to_string(int64_t(15) << 20)), again), Error);  // no silent overwrite
}

// Two trainings of one shape export byte-identical index files: the model hash (which RotateKV's
// reorder files are checked against) must come from the shards, or one model's calibration
// would pass for the other's.
TEST(LmTrainer, AShardedFolderIsHashedByItsShardsNotOnlyItsIndex) {
  test::TempDir dir;
  LmTrainer t(tiny(), tiny_options(4), corpus().train, corpus().tok->bos());
  HfExportOptions o;
  o.tokenizer_model = std::string(QS_RESOURCES_DIR) + "/models/qs-ref-tokenizer/tokenizer.model";
  o.max_file_bytes = int64_t(1) << 20;
  t.step();
  export_hf_folder(t.model(), dir.file("a"), o);
  export_hf_folder(t.model(), dir.file("a-again"), o);
  t.step();
  export_hf_folder(t.model(), dir.file("b"), o);
  EXPECT_EQ(test::read_text(dir.file("a/model.safetensors.index.json")), test::read_text(dir.file("b/model.safetensors.index.json")));
  const auto a = load_model(dir.file("a"), LoadOptions{}), a2 = load_model(dir.file("a-again"), LoadOptions{}), b = load_model(dir.file("b"), LoadOptions{});
  EXPECT_GT(a->weight_shards.size(), 1u);
  EXPECT_EQ(a->file_hash(), a2->file_hash());
  EXPECT_NE(a->file_hash(), b->file_hash());
}

}  // namespace
}  // namespace qs
