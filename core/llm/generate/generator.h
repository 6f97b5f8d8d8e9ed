// Text generation over a Transformer and its KV cache: prefill, then one token at a time, with
// streaming, stop tokens and strings, cancellation and timings. The cache is kept between
// calls so a chat continues from where it stopped (a common prefix is not recomputed).
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/common/cancel.h"
#include "core/llm/generate/sampler.h"
#include "core/llm/model/transformer.h"

namespace qs {

struct GenerateOptions {
  int max_new_tokens = 128;
  SamplingParams sampling;
  std::vector<std::string> stop_strings;
  bool stop_at_end_of_generation = true;
};

struct GenerateTimings {
  int prompt_tokens = 0;      // tokens actually computed in prefill (cached prefix excluded)
  int cached_prompt_tokens = 0;  // the prompt's leading tokens reused from the cache instead
  double prompt_seconds = 0;
  int generated_tokens = 0;
  double generation_seconds = 0;  // after the first token
  double time_to_first_token = 0;
  double prompt_tokens_per_second() const { return prompt_seconds > 0 ? prompt_tokens / prompt_seconds : 0; }
  double generation_tokens_per_second() const {
    return generation_seconds > 0 && generated_tokens > 1 ? (generated_tokens - 1) / generation_seconds : 0;
  }
};

struct TokenEvent {
  int32_t id = 0;
  std::string text;   // new text released by this token ("" while a character or stop string is incomplete)
  float probability = 0;  // softmax probability of the chosen token
  int index = 0;      // 0-based among generated tokens
};

struct GenerateResult {
  std::vector<int32_t> tokens;     // generated ids
  std::vector<float> probabilities;
  std::string text;                // generated text (stop string excluded)
  GenerateTimings timings;
  std::string stop_reason;         // "length", "eos", "stop string", "cancelled", "context full"
};

class Generator {
 public:
  Generator(const Transformer& model, std::unique_ptr<KvCache> cache);

  // prompt: the whole token sequence so far (BOS included if wanted). Tokens already in the
  // cache from an earlier call are reused when they are a prefix of `prompt`.
  GenerateResult generate(const std::vector<int32_t>& prompt, const GenerateOptions& options,
                          const std::function<void(const TokenEvent&)>& on_token, const CancelToken& cancel);

  KvCache& cache() { return *cache_; }
  const std::vector<int32_t>& cached_tokens() const { return cached_; }
  void reset();

 private:
  const Transformer& model_;
  std::unique_ptr<KvCache> cache_;
  std::vector<int32_t> cached_;  // tokens whose K/V are in the cache
};

}  // namespace qs
