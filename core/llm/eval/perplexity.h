// Perplexity over a text with non-overlapping windows (WikiText-2 protocol: join, tokenize once,
// cut full windows of N tokens, score positions 1..N-1 of each window), and the hook through
// which KL-divergence runs see every window's log-probabilities.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "core/common/cancel.h"
#include "core/llm/model/transformer.h"

namespace qs {

class Tokenizer;

// Tokenizes a corpus once. With a document separator (e.g. "<|endoftext|>" lines in the
// TinyStories sample) each document is stripped of surrounding whitespace and encoded on its
// own starting with BOS, and the documents are concatenated; without one, the whole text is
// encoded with the tokenizer's BOS rule.
std::vector<int32_t> tokenize_corpus(const Tokenizer& tokenizer, const std::string& text, const std::string& doc_separator);

enum class EvalProtocol {
  kPrefill,  // each window in one forward: attention inside the window reads the cache
  kDecode,   // tokens fed one at a time through the cache
};
EvalProtocol eval_protocol_from_name(const std::string& name);

struct PerplexityOptions {
  int64_t ctx = 256;
  int64_t max_windows = 0;  // 0: all full windows
  std::string k_type = "f32", v_type = "f32";
  EvalProtocol protocol = EvalProtocol::kPrefill;
  KvOptions kv_options;
};

struct PerplexityResult {
  double nll_sum = 0;
  int64_t count = 0;
  int64_t windows = 0;
  double seconds = 0;
  std::vector<double> window_nll;  // mean NLL per window
  double mean_nll() const { return count ? nll_sum / double(count) : 0; }
  double ppl() const;
};

// Called per window with its tokens [ctx] and log-probabilities [ctx-1, vocab] (float32, CPU)
// predicting tokens 1..ctx-1.
using WindowLogProbSink = std::function<void(const std::vector<int32_t>& window, const at::Tensor& log_probs)>;

// Log-probabilities [ctx-1, vocab] (float64, CPU) predicting tokens 1..ctx-1 of one window run
// from an empty cache with the protocol.
at::Tensor window_log_probs(const Transformer& model, KvCache& cache, const std::vector<int32_t>& window, EvalProtocol protocol);

// The same for B windows of one length side by side, window b in batch row b of a cache made for
// batch B: [B, ctx-1, vocab]. One decode step then serves B windows (a step of a small model is
// launch-bound on a GPU, so B windows cost about as much as one).
at::Tensor windows_log_probs(const Transformer& model, KvCache& cache, const std::vector<std::vector<int32_t>>& windows,
                             EvalProtocol protocol);

PerplexityResult perplexity(const Transformer& model, const std::vector<int32_t>& tokens, const PerplexityOptions& options,
                            const ProgressFn& progress, const CancelToken& cancel, const WindowLogProbSink& sink = nullptr);

}  // namespace qs
