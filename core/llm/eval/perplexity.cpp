#include "core/llm/eval/perplexity.h"

#include <cmath>

#include "core/common/error.h"
#include "core/common/strings.h"
#include "core/common/timer.h"
#include "core/llm/tokenizer/tokenizer.h"

namespace qs {

double PerplexityResult::ppl() const { return std::exp(mean_nll()); }

EvalProtocol eval_protocol_from_name(const std::string& name) {
  if (name == "prefill") return EvalProtocol::kPrefill;
  if (name == "decode") return EvalProtocol::kDecode;
  fail(ErrorKind::kInvalidArgument, "unknown protocol '" + name + "' (prefill or decode)");
}

std::vector<int32_t> tokenize_corpus(const Tokenizer& tok, const std::string& text, const std::string& sep) {
  if (sep.empty()) return tok.encode(text, true, false);
  std::vector<int32_t> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t next = text.find(sep, pos);
    std::string doc = trim(text.substr(pos, next == std::string::npos ? std::string::npos : next - pos));
    if (!doc.empty()) {
      if (tok.bos() >= 0) out.push_back(tok.bos());
      auto ids = tok.encode(doc, false, false);
      out.insert(out.end(), ids.begin(), ids.end());
    }
    if (next == std::string::npos) break;
    pos = next + sep.size();
  }
  return out;
}

at::Tensor windows_log_probs(const Transformer& model, KvCache& cache, const std::vector<std::vector<int32_t>>& windows,
                             EvalProtocol protocol) {
  if (windows.empty()) fail(ErrorKind::kInvalidArgument, "windows_log_probs: no windows");
  const int64_t b = int64_t(windows.size()), n = int64_t(windows.front().size());
  std::vector<int64_t> ids;
  ids.reserve(size_t(b * n));
  for (const auto& w : windows) {
    if (int64_t(w.size()) != n) fail(ErrorKind::kInvalidArgument, "windows_log_probs: windows of different lengths");
    ids.insert(ids.end(), w.begin(), w.end());
  }
  at::Tensor input = at::tensor(ids, at::TensorOptions().dtype(at::kLong)).view({b, n});
  cache.clear();
  at::Tensor logits;  // [B, n, vocab]
  if (protocol == EvalProtocol::kPrefill) {
    logits = model.forward(input, cache);
  } else {
    std::vector<at::Tensor> steps;
    for (int64_t t = 0; t < n; ++t) steps.push_back(model.forward(input.narrow(1, t, 1), cache).select(1, 0));
    logits = at::stack(steps, 1);
  }
  return at::log_softmax(logits.narrow(1, 0, n - 1).to(at::kCPU, at::kDouble), -1);
}

at::Tensor window_log_probs(const Transformer& model, KvCache& cache, const std::vector<int32_t>& window, EvalProtocol protocol) {
  return windows_log_probs(model, cache, {window}, protocol)[0];
}

PerplexityResult perplexity(const Transformer& model, const std::vector<int32_t>& tokens, const PerplexityOptions& o,
                            const ProgressFn& progress, const CancelToken& cancel, const WindowLogProbSink& sink) {
  if (o.ctx < 2) fail(ErrorKind::kInvalidArgument, "--ctx must be at least 2");
  if (o.ctx > model.config().context_length)
    fail(ErrorKind::kInvalidArgument, "--ctx " + std::to_string(o.ctx) + " exceeds the model's context of " + std::to_string(model.config().context_length));
  int64_t n_windows = int64_t(tokens.size()) / o.ctx;
  if (n_windows == 0) fail(ErrorKind::kInvalidArgument, "the text has " + std::to_string(tokens.size()) + " tokens, fewer than one window of " + std::to_string(o.ctx));
  if (o.max_windows > 0) n_windows = std::min(n_windows, o.max_windows);
  PerplexityResult r;
  Stopwatch clock;
  auto cache = model.make_cache(o.k_type, o.v_type, o.ctx, 1, o.kv_options);
  for (int64_t w = 0; w < n_windows; ++w) {
    cancel.check();
    std::vector<int32_t> window(tokens.begin() + w * o.ctx, tokens.begin() + (w + 1) * o.ctx);
    at::Tensor logp = window_log_probs(model, *cache, window, o.protocol);
    at::Tensor target = at::tensor(std::vector<int64_t>(window.begin() + 1, window.end()), at::TensorOptions().dtype(at::kLong));
    double nll = -logp.gather(1, target.unsqueeze(1)).sum().item<double>();
    if (!std::isfinite(nll)) fail(ErrorKind::kInternal, "non-finite NLL in window " + std::to_string(w));
    r.nll_sum += nll;
    r.count += o.ctx - 1;
    r.window_nll.push_back(nll / double(o.ctx - 1));
    if (sink) sink(window, logp.to(at::kFloat));
    if (progress) progress(w + 1, n_windows);
  }
  r.windows = n_windows;
  r.seconds = clock.seconds();
  return r;
}

}  // namespace qs
