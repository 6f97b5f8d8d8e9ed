// Training a Llama-architecture language model from scratch (issue "reference LLM"): the model
// is the runtime's own (Transformer over a full-precision f32 cache, rotate-half RoPE as Hugging
// Face stores it), so what is trained is exactly what the runtime and the HF export run.
//
// Batches are a pure function of (seed, step, micro-batch, row): window offsets from a hash of
// them, each window [BOS, t0 .. t_{T-2}] -> targets [t0 .. t_{T-1}] (every sequence starts with
// BOS at position 0, as in Llama). With no other randomness (no dropout), resuming from a
// checkpoint reproduces the uninterrupted run bit for bit.
//
// Optimiser: AdamW (decoupled weight decay on every matrix, embeddings included, none on the
// norms), linear warm-up then cosine decay to min_lr, gradient
// clipping by global norm, gradient accumulation. f32 master weights; on CUDA the forward may
// run under bf16 autocast (TrainOptions::bf16).
#pragma once
#include <ATen/ATen.h>

#include <memory>
#include <string>
#include <vector>

#include "core/llm/model/weights.h"

namespace qs {

struct TrainOptions {
  int64_t steps = 100, batch = 8, seq_len = 128, accum = 1, warmup = 10;
  double lr = 8e-4, min_lr = 8e-5, weight_decay = 0.4, clip = 1.0, beta1 = 0.9, beta2 = 0.95, eps = 1e-8;
  uint64_t seed = 1;
  at::Device device = at::Device(at::kCPU);
  bool bf16 = false;  // bf16 autocast of the forward on CUDA (weights, optimizer and sums stay f32)
};

// The shapes of the named configurations for a vocabulary: "tiny" (CPU tests: 2 layers, dim 64,
// 4 heads of 16, 2 KV heads) and "ref" (the GPU run: 8 layers, dim 768, 6 heads of 128, 2 KV
// heads, SwiGLU 1536, tied embeddings: 47.2M parameters at 8192 tokens, 94 MB in bf16, which
// comes back from the GPU machine in two calls of at most 64 MiB).
ModelConfig lm_preset(const std::string& name, int64_t vocab);

struct StepStats {
  int64_t step = 0;           // optimizer steps done, this one included
  double loss = 0, lr = 0, grad_norm = 0;
  int64_t tokens = 0;         // predicted tokens in this step
};

class LmTrainer {
 public:
  // `tokens` is the training stream (at least seq_len + 1 ids below config.vocab); bos the id
  // every window starts with. Weights start from the Llama initialisation drawn from seed.
  LmTrainer(const ModelConfig& config, const TrainOptions& options, std::vector<int32_t> tokens, int32_t bos);
  ~LmTrainer();

  // One optimizer step (options.accum micro-batches). Throws Error(kFormat) when the loss or the
  // gradient norm is not finite (nothing is updated then).
  StepStats step();
  int64_t steps_done() const;
  // Mean next-token loss over `windows` fixed windows of a held-out stream (no gradients).
  double eval_loss(const std::vector<int32_t>& tokens, int64_t windows) const;

  // Checkpoint: config, weights, optimizer state and step. load_checkpoint refuses one of another
  // configuration (naming the difference) and leaves the trainer as it was.
  void save_checkpoint(const std::string& path) const;
  void load_checkpoint(const std::string& path);

  const LoadedModel& model() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace qs
