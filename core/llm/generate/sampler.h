// Token sampling: repetition penalty, top-k, top-p, min-p, temperature, seeded draw; greedy
// (first arg-max) when temperature <= 0. Runs on a CPU float32 row of logits.
#pragma once
#include <ATen/ATen.h>

#include <cstdint>
#include <random>
#include <vector>

namespace qs {

struct SamplingParams {
  float temperature = 0.8f;
  int top_k = 40;          // 0 disables
  float top_p = 0.95f;     // 1 disables
  float min_p = 0.05f;     // 0 disables
  float repeat_penalty = 1.0f;  // 1 disables
  int repeat_last_n = 64;
  uint64_t seed = 0;

  static SamplingParams greedy() {
    SamplingParams p;
    p.temperature = 0.0f;
    return p;
  }
  // Throws Error(kInvalidArgument) for out-of-range values.
  void validate() const;
};

class Sampler {
 public:
  explicit Sampler(const SamplingParams& params);
  // logits: [vocab] float32 (any device; copied to CPU). history: tokens so far (for penalties).
  int32_t sample(const at::Tensor& logits, const std::vector<int32_t>& history);
  // Probability of the last chosen token under the unmodified softmax of its logits.
  float last_probability() const { return last_prob_; }
  const SamplingParams& params() const { return params_; }

 private:
  SamplingParams params_;
  std::mt19937_64 rng_;
  float last_prob_ = 0.0f;
};

}  // namespace qs
