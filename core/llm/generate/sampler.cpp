#include "core/llm/generate/sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_set>

#include "core/common/error.h"

namespace qs {

void SamplingParams::validate() const {
  if (!std::isfinite(temperature) || temperature < 0) fail(ErrorKind::kInvalidArgument, "temperature must be >= 0");
  if (top_k < 0) fail(ErrorKind::kInvalidArgument, "top-k must be >= 0");
  if (!(top_p > 0 && top_p <= 1)) fail(ErrorKind::kInvalidArgument, "top-p must be in (0, 1]");
  if (!(min_p >= 0 && min_p < 1)) fail(ErrorKind::kInvalidArgument, "min-p must be in [0, 1)");
  if (!(repeat_penalty > 0) || !std::isfinite(repeat_penalty)) fail(ErrorKind::kInvalidArgument, "repeat penalty must be > 0");
}

Sampler::Sampler(const SamplingParams& params) : params_(params), rng_(params.seed) { params_.validate(); }

int32_t Sampler::sample(const at::Tensor& logits_in, const std::vector<int32_t>& history) {
  at::Tensor row = logits_in.to(at::kCPU, at::kFloat).contiguous().reshape({-1});
  const int64_t V = row.numel();
  std::vector<float> logits(row.data_ptr<float>(), row.data_ptr<float>() + V);
  for (float v : logits)
    if (std::isnan(v)) fail(ErrorKind::kInternal, "the model produced NaN logits");

  auto softmax_prob = [&](const std::vector<float>& l, int32_t id) {
    float mx = *std::max_element(l.begin(), l.end());
    double sum = 0;
    for (float v : l) sum += std::exp(double(v - mx));
    return float(std::exp(double(l[size_t(id)] - mx)) / sum);
  };
  const std::vector<float> raw = logits;

  if (params_.repeat_penalty != 1.0f && params_.repeat_last_n != 0) {
    size_t n = params_.repeat_last_n < 0 ? history.size() : std::min(history.size(), size_t(params_.repeat_last_n));
    std::unordered_set<int32_t> seen(history.end() - long(n), history.end());
    for (int32_t id : seen) {
      if (id < 0 || id >= V) continue;
      float& l = logits[size_t(id)];
      l = l > 0 ? l / params_.repeat_penalty : l * params_.repeat_penalty;
    }
  }
  if (params_.temperature <= 0.0f) {
    int32_t best = int32_t(std::max_element(logits.begin(), logits.end()) - logits.begin());
    last_prob_ = softmax_prob(raw, best);
    return best;
  }
  // Candidates sorted by logit, then truncated by top-k, top-p and min-p.
  std::vector<int32_t> idx(static_cast<size_t>(V));
  std::iota(idx.begin(), idx.end(), 0);
  size_t keep = size_t(V);
  if (params_.top_k > 0) keep = std::min(keep, size_t(params_.top_k));
  std::partial_sort(idx.begin(), idx.begin() + long(keep), idx.end(), [&](int32_t a, int32_t b) { return logits[size_t(a)] > logits[size_t(b)]; });
  idx.resize(keep);
  const float mx = logits[size_t(idx[0])];
  std::vector<double> p(keep);
  double sum = 0;
  for (size_t i = 0; i < keep; ++i) sum += (p[i] = std::exp(double(logits[size_t(idx[i])] - mx)));
  for (auto& v : p) v /= sum;
  if (params_.top_p < 1.0f) {
    double cum = 0;
    size_t n = 0;
    while (n < keep) {
      cum += p[n++];
      if (cum >= params_.top_p) break;
    }
    keep = std::max<size_t>(1, n);
  }
  if (params_.min_p > 0.0f) {
    size_t n = 1;
    while (n < keep && p[n] >= params_.min_p * p[0]) ++n;
    keep = n;
  }
  // Temperature over the survivors, then a seeded draw.
  std::vector<double> w(keep);
  double wsum = 0;
  for (size_t i = 0; i < keep; ++i) wsum += (w[i] = std::exp(double(logits[size_t(idx[i])] - mx) / params_.temperature));
  std::uniform_real_distribution<double> uni(0.0, wsum);
  double r = uni(rng_);
  size_t choice = keep - 1;
  for (size_t i = 0; i < keep; ++i) {
    r -= w[i];
    if (r <= 0) {
      choice = i;
      break;
    }
  }
  int32_t id = idx[choice];
  last_prob_ = softmax_prob(raw, id);
  return id;
}

}  // namespace qs
