#include "core/llm/eval/logit_file.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>

#include "core/common/error.h"
#include "core/common/output_guard.h"
#include "core/llm/eval/logit_header.h"
#include "core/llm/formats/ggml_types.h"

namespace qs {
namespace {
constexpr size_t kHeader = LogitLayout::kHeaderBytes;
}  // namespace

LogitWriter::LogitWriter(const std::string& path, int64_t vocab, int64_t ctx, bool overwrite) : path_(path), vocab_(vocab), ctx_(ctx) {
  f_ = std::make_unique<AtomicFile>(path, overwrite);
  uint32_t v = uint32_t(vocab), c = uint32_t(ctx);
  uint64_t n = 0;
  f_->write(kLogitMagic, 8);
  f_->write(&v, 4);
  f_->write(&c, 4);
  f_->write(&n, 8);
}

LogitWriter::~LogitWriter() = default;

void LogitWriter::add(const std::vector<int32_t>& window, const at::Tensor& log_probs) {
  if (int64_t(window.size()) != ctx_ || log_probs.size(0) != ctx_ - 1 || log_probs.size(1) != vocab_) fail(ErrorKind::kInternal, "logit writer: window shape mismatch");
  f_->write(window.data(), 4 * window.size());
  at::Tensor lp = log_probs.to(at::kCPU, at::kFloat).contiguous();
  const float* p = lp.data_ptr<float>();
  std::vector<uint16_t> h(size_t(lp.numel()));
  for (size_t i = 0; i < h.size(); ++i) h[i] = ggml::float_to_half(std::max(p[i], -65000.0f));
  f_->write(h.data(), 2 * h.size());
  ++windows_;
}

void LogitWriter::finish() {
  f_->write_at(16, &windows_, 8);
  f_->commit();
}

LogitReference::LogitReference(const std::string& path) : bytes_(FileBytes::open(path)) {
  const LogitLayout l = parse_logit_header(bytes_->data(), bytes_->size(), path);
  vocab_ = l.vocab, ctx_ = l.ctx, windows_ = l.windows;
}

void LogitReference::compare(int64_t index, const std::vector<int32_t>& window, const at::Tensor& log_probs, KldStats* stats) const {
  if (index >= windows_) fail(ErrorKind::kInvalidArgument, "the reference holds only " + std::to_string(windows_) + " windows");
  if (int64_t(window.size()) != ctx_ || log_probs.size(1) != vocab_) fail(ErrorKind::kInvalidArgument, "the reference was made with a different --ctx or vocabulary");
  uint64_t per_window = uint64_t(ctx_) * 4 + uint64_t(ctx_ - 1) * uint64_t(vocab_) * 2;
  const uint8_t* base = bytes_->data() + kHeader + uint64_t(index) * per_window;
  if (std::memcmp(base, window.data(), size_t(ctx_) * 4) != 0) fail(ErrorKind::kInvalidArgument, "window " + std::to_string(index) + " tokens differ from the reference: different text or tokenizer");
  const uint8_t* lp = base + ctx_ * 4;
  at::Tensor run = log_probs.to(at::kCPU, at::kDouble).contiguous();
  const double* q = run.data_ptr<double>();
  std::vector<double> ref(static_cast<size_t>(vocab_));
  for (int64_t t = 0; t < ctx_ - 1; ++t) {
    // Decode the stored f16 log-probabilities and renormalise them: the rounding then costs
    // only second-order error in the KL divergence instead of first-order.
    double mx = -1e300;
    for (int64_t v = 0; v < vocab_; ++v) {
      uint16_t h;
      std::memcpy(&h, lp + 2 * (uint64_t(t) * uint64_t(vocab_) + uint64_t(v)), 2);
      ref[size_t(v)] = ggml::half_to_float(h);
      mx = std::max(mx, ref[size_t(v)]);
    }
    double z = 0;
    for (double r : ref) z += std::exp(r - mx);
    const double lse = mx + std::log(z);
    double kl = 0;
    int64_t ref_best = 0, run_best = 0;
    double ref_max = -1e300, run_max = -1e300;
    for (int64_t v = 0; v < vocab_; ++v) {
      double lp_ref = ref[size_t(v)] - lse, lp_run = q[t * vocab_ + v];
      kl += std::exp(lp_ref) * (lp_ref - lp_run);
      if (lp_ref > ref_max) { ref_max = lp_ref; ref_best = v; }
      if (lp_run > run_max) { run_max = lp_run; run_best = v; }
    }
    kl = std::max(0.0, kl);  // f16 rounding of the reference can push tiny values below zero
    stats->kld.push_back(kl);
    stats->kld_sum += kl;
    stats->positions++;
    stats->top1_agree += ref_best == run_best ? 1 : 0;
  }
}

void add_kld(const at::Tensor& ref_in, const at::Tensor& run_in, KldStats* stats) {
  at::Tensor ref = ref_in.to(at::kCPU, at::kDouble), run = run_in.to(at::kCPU, at::kDouble);
  if (ref.sizes() != run.sizes()) fail(ErrorKind::kInvalidArgument, "KL divergence: reference and run differ in shape");
  at::Tensor kl = at::clamp_min((at::exp(ref) * (ref - run)).sum(-1), 0.0).contiguous();
  at::Tensor agree = ref.argmax(-1) == run.argmax(-1);
  const double* k = kl.data_ptr<double>();
  stats->kld.insert(stats->kld.end(), k, k + kl.numel());
  stats->kld_sum += kl.sum().item<double>();
  stats->positions += kl.numel();
  stats->top1_agree += agree.sum().item<int64_t>();
}

double KldStats::quantile(double q) const {
  if (kld.empty()) return 0;
  std::vector<double> s = kld;
  size_t k = std::min(s.size() - 1, size_t(q * double(s.size() - 1) + 0.5));
  std::nth_element(s.begin(), s.begin() + long(k), s.end());
  return s[k];
}

}  // namespace qs
