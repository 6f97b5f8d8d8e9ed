#include "core/llm/train/lm_trainer.h"

#include <ATen/core/grad_mode.h>
#include <torch/types.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adamw.h>

#include <cmath>

#include "core/common/error.h"
#include "core/common/torch_archive.h"
#include "core/common/torch_compat.h"
#include "core/llm/model/transformer.h"

namespace qs {
namespace {

uint64_t mix(uint64_t x) {  // splitmix64
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// Rows [B, T + 1]: BOS then T tokens of the stream from a hashed offset.
at::Tensor windows(const std::vector<int32_t>& stream, int32_t bos, int64_t B, int64_t T, uint64_t key) {
  const int64_t span = int64_t(stream.size()) - T + 1;
  at::Tensor rows = at::empty({B, T + 1}, at::kLong);
  auto r = rows.accessor<int64_t, 2>();
  for (int64_t b = 0; b < B; ++b) {
    const int64_t off = int64_t(mix(key * 1315423911ull + uint64_t(b)) % uint64_t(span));
    r[b][0] = bos;
    for (int64_t t = 0; t < T; ++t) r[b][t + 1] = stream[size_t(off + t)];
  }
  return rows;
}

// bf16 autocast for the forward only (backward follows the dtypes it recorded), off on any exit.
struct AutocastScope {
  bool on;
  explicit AutocastScope(bool enabled) : on(enabled) {
    if (on) compat::set_cuda_autocast_bf16(true);
  }
  ~AutocastScope() {
    if (on) compat::set_cuda_autocast_bf16(false);
  }
};

at::Tensor init_matrix(int64_t out, int64_t in, double std, at::Generator& gen) { return at::normal(0.0, std, {out, in}, gen); }

std::string describe(const ModelConfig& c) {
  return std::to_string(c.n_layers) + " layers, dim " + std::to_string(c.dim) + ", " + std::to_string(c.n_heads) + "/" + std::to_string(c.n_kv_heads) +
         " heads of " + std::to_string(c.head_dim) + ", ffn " + std::to_string(c.ffn_dim) + ", vocab " + std::to_string(c.vocab);
}

}  // namespace

ModelConfig lm_preset(const std::string& name, int64_t vocab) {
  ModelConfig c;
  c.arch = "llama";
  c.vocab = vocab;
  c.rope_style = RopeStyle::kHalf;  // as Hugging Face stores q/k: the export needs no permutation
  c.norm_eps = 1e-5;
  c.rope_theta = 10000.0;
  c.tied_output = false;
  if (name == "tiny") {
    c.dim = 64, c.n_layers = 2, c.n_heads = 4, c.n_kv_heads = 2, c.head_dim = 16, c.ffn_dim = 192, c.context_length = 256;
  } else if (name == "ref") {
    c.dim = 768, c.n_layers = 8, c.n_heads = 6, c.n_kv_heads = 2, c.head_dim = 128, c.ffn_dim = 1536, c.context_length = 1024;
    c.tied_output = true;
  } else {
    fail(ErrorKind::kInvalidArgument, "unknown model preset '" + name + "' (tiny, ref)");
  }
  c.validate();
  return c;
}

struct LmTrainer::State {
  TrainOptions o;
  LoadedModel model;
  std::vector<int32_t> tokens;
  int32_t bos = 1;
  std::unique_ptr<Transformer> net;
  std::unique_ptr<torch::optim::AdamW> opt;
  int64_t step = 0;

  std::vector<at::Tensor*> named(std::vector<std::string>* names) {
    std::vector<at::Tensor*> out;
    auto add = [&](const std::string& n, at::Tensor& t) {
      if (names) names->push_back(n);
      out.push_back(&t);
    };
    ModelWeights& w = model.weights;
    add("tok_embd", w.tok_embd);
    for (size_t i = 0; i < w.layers.size(); ++i) {
      LayerWeights& l = w.layers[i];
      const std::string p = "layers." + std::to_string(i) + ".";
      add(p + "attn_norm", l.attn_norm), add(p + "wq", l.wq), add(p + "wk", l.wk), add(p + "wv", l.wv), add(p + "wo", l.wo);
      add(p + "ffn_norm", l.ffn_norm), add(p + "w_gate", l.w_gate), add(p + "w_up", l.w_up), add(p + "w_down", l.w_down);
    }
    add("out_norm", w.out_norm);
    if (!model.config.tied_output) add("output", w.output);
    return out;
  }

  void make_optimizer() {
    std::vector<at::Tensor> decay, plain;
    for (at::Tensor* t : named(nullptr)) (t->dim() >= 2 ? decay : plain).push_back(*t);
    std::vector<torch::optim::OptimizerParamGroup> groups;
    auto opts = [&](double wd) { return std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(o.lr).betas({o.beta1, o.beta2}).eps(o.eps).weight_decay(wd)); };
    groups.emplace_back(decay, opts(o.weight_decay));
    groups.emplace_back(plain, opts(0.0));
    opt = std::make_unique<torch::optim::AdamW>(groups, torch::optim::AdamWOptions(o.lr));
  }

  double lr_at(int64_t s) const {  // s counts from 0
    if (s < o.warmup) return o.lr * double(s + 1) / double(o.warmup);
    const double p = o.steps > o.warmup ? std::min(1.0, double(s - o.warmup) / double(o.steps - o.warmup)) : 1.0;
    return o.min_lr + 0.5 * (o.lr - o.min_lr) * (1.0 + std::cos(M_PI * p));
  }

  at::Tensor loss_of(const at::Tensor& rows) const {
    const int64_t B = rows.size(0), T = rows.size(1) - 1;
    auto cache = net->make_cache("f32", "f32", T, B);
    at::Tensor logits;
    {
      const AutocastScope bf16(o.bf16);
      logits = net->forward(rows.narrow(1, 0, T), *cache);  // [B, T, V] f32
    }
    at::Tensor target = rows.narrow(1, 1, T).to(logits.device());
    return at::cross_entropy_loss(logits.reshape({B * T, -1}), target.reshape({B * T}));
  }
};

LmTrainer::LmTrainer(const ModelConfig& config, const TrainOptions& options, std::vector<int32_t> tokens, int32_t bos) : s_(std::make_unique<State>()) {
  config.validate();
  if (config.rope_style != RopeStyle::kHalf || config.qkv_bias) fail(ErrorKind::kInvalidArgument, "train-lm: the model must use rotate-half RoPE and no biases");
  if (options.steps < 1 || options.batch < 1 || options.seq_len < 2 || options.accum < 1 || options.warmup < 0 || !(options.lr > 0) || options.min_lr < 0)
    fail(ErrorKind::kInvalidArgument, "train-lm: steps, batch, accum must be >= 1, seq_len >= 2, warmup >= 0, lr > 0, min_lr >= 0");
  if (int64_t(tokens.size()) < options.seq_len + 1)
    fail(ErrorKind::kFormat, "train-lm: the corpus holds " + std::to_string(tokens.size()) + " tokens, fewer than one window of " + std::to_string(options.seq_len) + " + 1");
  for (int32_t t : tokens)
    if (t < 0 || t >= config.vocab) fail(ErrorKind::kFormat, "train-lm: token id " + std::to_string(t) + " is outside the model's vocabulary of " + std::to_string(config.vocab) + " (another tokenizer?)");
  if (bos < 0 || bos >= config.vocab) fail(ErrorKind::kInvalidArgument, "train-lm: the tokenizer has no BOS token inside the vocabulary");
  if (options.bf16 && !options.device.is_cuda()) fail(ErrorKind::kUnsupported, "train-lm: bf16 autocast is for CUDA devices (--device cuda)");
  State& s = *s_;
  s.o = options, s.tokens = std::move(tokens), s.bos = bos;
  s.model.config = config;
  s.model.format = "train-lm";
  // Llama initialisation: N(0, 0.02), output projections of each block scaled by 1/sqrt(2 L).
  at::Generator gen = at::detail::createCPUGenerator(options.seed);
  const ModelConfig& c = config;
  const double std = 0.02, out_std = 0.02 / std::sqrt(2.0 * double(c.n_layers));
  ModelWeights& w = s.model.weights;
  w.tok_embd = init_matrix(c.vocab, c.dim, std, gen);
  for (int64_t i = 0; i < c.n_layers; ++i) {
    LayerWeights l;
    l.attn_norm = at::ones({c.dim});
    l.wq = init_matrix(c.n_heads * c.head_dim, c.dim, std, gen);
    l.wk = init_matrix(c.n_kv_heads * c.head_dim, c.dim, std, gen);
    l.wv = init_matrix(c.n_kv_heads * c.head_dim, c.dim, std, gen);
    l.wo = init_matrix(c.dim, c.n_heads * c.head_dim, out_std, gen);
    l.ffn_norm = at::ones({c.dim});
    l.w_gate = init_matrix(c.ffn_dim, c.dim, std, gen);
    l.w_up = init_matrix(c.ffn_dim, c.dim, std, gen);
    l.w_down = init_matrix(c.dim, c.ffn_dim, out_std, gen);
    w.layers.push_back(std::move(l));
  }
  w.out_norm = at::ones({c.dim});
  w.output = c.tied_output ? w.tok_embd : init_matrix(c.vocab, c.dim, std, gen);
  w.to(options.device, at::kFloat);
  if (c.tied_output) w.output = w.tok_embd;
  for (at::Tensor* t : s.named(nullptr)) t->set_requires_grad(true);
  s.net = std::make_unique<Transformer>(s.model);
  s.make_optimizer();
}

LmTrainer::~LmTrainer() = default;

int64_t LmTrainer::steps_done() const { return s_->step; }
const LoadedModel& LmTrainer::model() const { return s_->model; }

StepStats LmTrainer::step() {
  State& s = *s_;
  const double lr = s.lr_at(s.step);
  for (auto& g : s.opt->param_groups()) static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);
  s.opt->zero_grad();
  double loss = 0;
  for (int64_t m = 0; m < s.o.accum; ++m) {
    const at::Tensor rows = windows(s.tokens, s.bos, s.o.batch, s.o.seq_len, mix(s.o.seed) ^ uint64_t(s.step * s.o.accum + m));
    at::Tensor l = s.loss_of(rows) / double(s.o.accum);
    l.backward();
    loss += l.item<double>();
  }
  std::vector<at::Tensor> params;
  for (at::Tensor* t : s.named(nullptr)) params.push_back(*t);
  const double norm = torch::nn::utils::clip_grad_norm_(params, s.o.clip);
  if (!std::isfinite(loss) || !std::isfinite(norm))
    fail(ErrorKind::kFormat, "train-lm: the loss became " + std::to_string(loss) + " (gradient norm " + std::to_string(norm) + ") at step " + std::to_string(s.step + 1) +
                                 "; nothing was updated (lower the learning rate, or resume from the last checkpoint)");
  s.opt->step();
  ++s.step;
  return {s.step, loss, lr, norm, s.o.batch * s.o.seq_len * s.o.accum};
}

double LmTrainer::eval_loss(const std::vector<int32_t>& tokens, int64_t n) const {
  const State& s = *s_;
  if (int64_t(tokens.size()) < s.o.seq_len + 1) fail(ErrorKind::kFormat, "train-lm: the held-out text is shorter than one window");
  at::NoGradGuard no_grad;
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += s.loss_of(windows(tokens, s.bos, 1, s.o.seq_len, 0xe7a1ull + uint64_t(i))).item<double>();
  return sum / double(n);
}

void LmTrainer::save_checkpoint(const std::string& path) const {
  State& s = *s_;
  torch::serialize::OutputArchive a;
  const ModelConfig& c = s.model.config;
  a.write("config", at::tensor(std::vector<int64_t>{c.dim, c.n_layers, c.n_heads, c.n_kv_heads, c.head_dim, c.ffn_dim, c.vocab, c.tied_output ? 1 : 0}));
  a.write("step", at::tensor(std::vector<int64_t>{s.step}));
  std::vector<std::string> names;
  std::vector<at::Tensor*> ts = s.named(&names);
  for (size_t i = 0; i < ts.size(); ++i) a.write("w." + names[i], ts[i]->detach().cpu());
  torch::serialize::OutputArchive opt;
  s.opt->save(opt);
  a.write("optimizer", opt);
  save_archive_atomically(a, path);  // the previous checkpoint stays until this one is whole
}

void LmTrainer::load_checkpoint(const std::string& path) {
  State& s = *s_;
  torch::serialize::InputArchive a;
  load_archive(a, path, "train-lm checkpoint");
  at::Tensor cfg, step;
  if (!a.try_read("config", cfg) || !a.try_read("step", step)) fail_format("'" + path + "' is not a train-lm checkpoint (no config or step)");
  const ModelConfig& c = s.model.config;
  const std::vector<int64_t> want = {c.dim, c.n_layers, c.n_heads, c.n_kv_heads, c.head_dim, c.ffn_dim, c.vocab, c.tied_output ? 1 : 0};
  if (cfg.numel() != int64_t(want.size()) || !at::equal(cfg, at::tensor(want))) {
    ModelConfig other = c;
    if (cfg.numel() == 8) {
      auto v = cfg.accessor<int64_t, 1>();
      other.dim = v[0], other.n_layers = v[1], other.n_heads = v[2], other.n_kv_heads = v[3], other.head_dim = v[4], other.ffn_dim = v[5], other.vocab = v[6];
    }
    fail(ErrorKind::kInvalidArgument, "'" + path + "' holds a model of " + describe(other) + ", not " + describe(c));
  }
  std::vector<std::string> names;
  std::vector<at::Tensor*> ts = s.named(&names);
  std::vector<at::Tensor> loaded(ts.size());
  for (size_t i = 0; i < ts.size(); ++i) {
    if (!a.try_read("w." + names[i], loaded[i]) || loaded[i].sizes() != ts[i]->sizes()) fail_format("'" + path + "' lacks or misshapes weight " + names[i]);
  }
  {
    at::NoGradGuard no_grad;
    for (size_t i = 0; i < ts.size(); ++i) ts[i]->copy_(loaded[i]);
  }
  torch::serialize::InputArchive opt;
  if (!a.try_read("optimizer", opt)) fail_format("'" + path + "' has no optimizer state");
  s.opt->load(opt);
  s.step = step.item<int64_t>();
}

}  // namespace qs
