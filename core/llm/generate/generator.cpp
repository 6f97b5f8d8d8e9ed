#include "core/llm/generate/generator.h"

#include <algorithm>

#include "core/common/error.h"
#include "core/common/timer.h"
#include "core/common/torch_compat.h"
#include "core/llm/tokenizer/tokenizer.h"

namespace qs {
namespace {

at::Tensor as_tensor(const std::vector<int32_t>& ids, size_t from, at::Device device) {
  std::vector<int64_t> v(ids.begin() + long(from), ids.end());
  return at::tensor(v, at::TensorOptions().dtype(at::kLong)).view({1, int64_t(v.size())}).to(device);
}

// Length of the longest suffix of `text` that is a proper prefix of some stop string: that much
// must be held back until we know whether the stop string completes.
size_t stop_holdback(const std::string& text, const std::vector<std::string>& stops) {
  size_t hold = 0;
  for (const auto& s : stops)
    for (size_t k = std::min(s.size() - 1, text.size()); k > hold; --k)
      if (text.compare(text.size() - k, k, s, 0, k) == 0) {
        hold = k;
        break;
      }
  return hold;
}

}  // namespace

Generator::Generator(const Transformer& model, std::unique_ptr<KvCache> cache) : model_(model), cache_(std::move(cache)) {}

void Generator::reset() {
  cache_->clear();
  cached_.clear();
}

GenerateResult Generator::generate(const std::vector<int32_t>& prompt, const GenerateOptions& options,
                                   const std::function<void(const TokenEvent&)>& on_token, const CancelToken& cancel) {
  if (prompt.empty()) fail(ErrorKind::kInvalidArgument, "generate: the prompt has no tokens (no BOS and no text)");
  for (const auto& s : options.stop_strings)
    if (s.empty()) fail(ErrorKind::kInvalidArgument, "generate: empty stop string");
  const Tokenizer& tok = *model_.model().tokenizer;
  std::vector<int32_t> eog = options.stop_at_end_of_generation ? tok.end_of_generation() : std::vector<int32_t>{};
  // llama2.c models end a story by emitting BOS; run.c stops there.
  if (options.stop_at_end_of_generation && model_.model().format == "llama2.c" && tok.bos() >= 0) eog.push_back(tok.bos());
  Sampler sampler(options.sampling);
  GenerateResult result;
  const at::Device device = model_.device();
  const int64_t limit = std::min<int64_t>(model_.config().context_length, int64_t(1) << 40);

  // Reuse the cached prefix; recompute at least the last prompt token to get its logits.
  size_t common = 0;
  while (common < cached_.size() && common < prompt.size() && cached_[common] == prompt[common]) ++common;
  if (common == prompt.size()) --common;
  cache_->truncate(int64_t(common));
  cached_.resize(common);
  if (int64_t(prompt.size()) >= limit) fail(ErrorKind::kInvalidArgument, "the prompt (" + std::to_string(prompt.size()) + " tokens) does not fit the context of " + std::to_string(limit));

  Stopwatch total;
  cancel.check();
  at::Tensor logits = model_.forward(as_tensor(prompt, common, device), *cache_, true);
  cached_ = prompt;
  at::Tensor last = logits[0][-1];
  compat::cuda_synchronize();
  result.timings.prompt_tokens = int(prompt.size() - common);
  result.timings.cached_prompt_tokens = int(common);
  result.timings.prompt_seconds = total.seconds();

  std::vector<int32_t> history = prompt;
  const std::string base_text = tok.decode(prompt);
  size_t emitted = 0;        // bytes of generated text already handed to on_token
  std::string generated;     // decoded generated text so far
  Stopwatch gen_clock;
  result.stop_reason = "length";
  for (int i = 0; i < options.max_new_tokens; ++i) {
    if (cancel.cancelled()) {
      result.stop_reason = "cancelled";
      break;
    }
    int32_t id = sampler.sample(last, history);
    if (i == 0) {
      result.timings.time_to_first_token = total.seconds();
      gen_clock.restart();
    }
    result.timings.generated_tokens = i + 1;
    if (std::find(eog.begin(), eog.end(), id) != eog.end()) {
      result.stop_reason = "eos";
      break;
    }
    history.push_back(id);
    result.tokens.push_back(id);
    result.probabilities.push_back(sampler.last_probability());
    std::string full = tok.decode(history);
    generated = full.size() >= base_text.size() ? full.substr(base_text.size()) : full;
    // Stop strings: cut the text where one appears and end.
    bool stopped = false;
    for (const auto& s : options.stop_strings) {
      size_t at = generated.find(s, emitted > s.size() ? emitted - s.size() : 0);
      if (at != std::string::npos) {
        generated.resize(at);
        stopped = true;
      }
    }
    size_t ready = stopped ? generated.size() : unicode::complete_utf8_prefix(generated);
    if (!stopped) ready = std::min(ready, generated.size() - stop_holdback(generated, options.stop_strings));
    TokenEvent ev;
    ev.id = id;
    ev.index = i;
    ev.probability = sampler.last_probability();
    if (ready > emitted) {
      ev.text = generated.substr(emitted, ready - emitted);
      emitted = ready;
    }
    if (on_token) on_token(ev);
    if (stopped) {
      result.stop_reason = "stop string";
      break;
    }
    if (i + 1 == options.max_new_tokens) break;
    if (cache_->length() + 1 >= limit) {
      result.stop_reason = "context full";
      break;
    }
    logits = model_.forward(as_tensor(history, history.size() - 1, device), *cache_, true);
    cached_.push_back(id);
    last = logits[0][-1];
  }
  compat::cuda_synchronize();
  result.timings.generation_seconds = result.timings.generated_tokens > 1 ? gen_clock.seconds() : 0;
  if (emitted < generated.size() && result.stop_reason != "stop string") {
    // Flush what was held back (an incomplete stop-string prefix that never completed).
    TokenEvent ev;
    ev.id = -1;
    ev.index = int(result.tokens.size());
    ev.text = generated.substr(emitted);
    if (on_token) on_token(ev);
  }
  result.text = generated;
  return result;
}

}  // namespace qs
