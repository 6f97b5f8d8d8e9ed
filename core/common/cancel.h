// Progress and cancellation for long engine calls: every call that can take more than
// ~100 ms takes a ProgressFn and a CancelToken (ARCHITECTURE.md, rules of the house).
#pragma once
#include <atomic>
#include <functional>
#include <memory>

#include "core/common/error.h"

namespace qs {

// Shared flag: the GUI or a signal handler sets it, the engine polls it between steps.
class CancelToken {
 public:
  CancelToken() : flag_(std::make_shared<std::atomic<bool>>(false)) {}
  void cancel() const { flag_->store(true); }
  void reset() const { flag_->store(false); }
  bool cancelled() const { return flag_->load(); }
  // Throws Error(kCancelled) when cancelled; engines call it at step boundaries.
  void check() const {
    if (cancelled()) throw Error(ErrorKind::kCancelled, "cancelled by the user");
  }

 private:
  std::shared_ptr<std::atomic<bool>> flag_;
};

// done and total in the unit of the call (tokens, iterations, slices).
using ProgressFn = std::function<void(long long done, long long total)>;

}  // namespace qs
