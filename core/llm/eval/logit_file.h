// Saved full-precision log-probabilities and the KL-divergence comparison against them
// (like llama.cpp's --kl-divergence-base / --kl-divergence).
//
// File: "QSLOGP01", u32 vocab, u32 ctx, u64 n_windows, then per window: ctx x i32 tokens and
// (ctx-1) x vocab f16 log-probabilities. Sizes are checked against the file on reading.
#pragma once
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/common/atomic_file.h"
#include "core/common/file_bytes.h"
#include "core/llm/eval/perplexity.h"

namespace qs {

class LogitWriter {
 public:
  // Refuses to replace an existing file unless overwrite.
  LogitWriter(const std::string& path, int64_t vocab, int64_t ctx, bool overwrite);
  ~LogitWriter();
  void add(const std::vector<int32_t>& window, const at::Tensor& log_probs);
  void finish();  // writes the window count and renames the file into place; before it, no file

 private:
  std::unique_ptr<AtomicFile> f_;  // the target appears only when finish() succeeds
  std::string path_;
  int64_t vocab_, ctx_;
  uint64_t windows_ = 0;
};

struct KldStats {
  int64_t positions = 0;
  double kld_sum = 0;
  std::vector<double> kld;    // per position
  int64_t top1_agree = 0;
  double mean_kld() const { return positions ? kld_sum / double(positions) : 0; }
  double top1_rate() const { return positions ? double(top1_agree) / double(positions) : 0; }
  double quantile(double q) const;
};

// Adds KL(reference || run) and top-1 agreement per position; both [N, vocab] log-probabilities.
void add_kld(const at::Tensor& reference_log_probs, const at::Tensor& run_log_probs, KldStats* stats);

class LogitReference {
 public:
  explicit LogitReference(const std::string& path);
  int64_t vocab() const { return vocab_; }
  int64_t ctx() const { return ctx_; }
  int64_t windows() const { return windows_; }
  // Compares one window of a run against window `index` of the reference; the tokens must match.
  void compare(int64_t index, const std::vector<int32_t>& window, const at::Tensor& log_probs, KldStats* stats) const;

 private:
  std::shared_ptr<FileBytes> bytes_;
  int64_t vocab_ = 0, ctx_ = 0, windows_ = 0;
};

}  // namespace qs
