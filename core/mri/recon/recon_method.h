// The MRI seam's method interface: a reconstruction takes (k-space, mask, options, progress,
// cancel) and returns an image volume. Methods are plugins that register a factory here.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "core/common/cancel.h"
#include "core/common/registry.h"
#include "core/mri/operators/sense_operator.h"

namespace qs::mri {

struct ReconProblem {
  at::Tensor kspace;  // (S, C, H, W) complex64, unsampled entries already +0.0
  at::Tensor mask;    // (H, W) bool, on kspace's device
  bool multicoil = false;
  at::Tensor coil_maps;  // optional (S, C, H, W) or (C, H, W); estimated from the ACS if absent
};

struct OptionInfo {
  std::string name;
  std::string default_value;
  std::string help;
};

// name=value options as typed on the command line or set in the GUI; a method rejects names
// it does not declare, so a typo is an error rather than a silently ignored setting.
class ReconOptions {
 public:
  ReconOptions() = default;
  explicit ReconOptions(std::map<std::string, std::string> values) : values_(std::move(values)) {}
  void set(const std::string& name, const std::string& value) { values_[name] = value; }
  bool has(const std::string& name) const { return values_.count(name) != 0; }
  double number(const std::string& name, double def) const;
  // A number that must be >= min (weights, penalties, scales): a given value below it is an error.
  double number_at_least(const std::string& name, double def, double min) const;
  long long integer(const std::string& name, long long def) const;
  std::string text(const std::string& name, const std::string& def) const;
  const std::map<std::string, std::string>& values() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
};

class ReconMethod {
 public:
  virtual ~ReconMethod() = default;
  virtual std::vector<OptionInfo> options() const = 0;
  // Returns (S, H, W): complex for iterative methods (the image estimate), real magnitude
  // (RSS for multi-coil) for zero-filled. Progress counts iterations (or slices).
  virtual at::Tensor reconstruct(const ReconProblem& problem, const ReconOptions& options, const ProgressFn& progress,
                                 const CancelToken& cancel) const = 0;
};

using ReconFactory = std::function<std::unique_ptr<ReconMethod>()>;
Registry<ReconFactory>& recon_registry();
std::vector<std::string> recon_methods();

// Looks the method up, checks the options against its declaration and the problem's shapes
// (finite data, mask size), then runs it.
at::Tensor run_recon(const std::string& method, const ReconProblem& problem, const ReconOptions& options,
                     const ProgressFn& progress = {}, const CancelToken& cancel = {});

// The forward model of a problem: its mask, and for multi-coil data the given coil maps or,
// when absent, maps estimated from the fully sampled centre.
SenseOperator sense_operator_for(const ReconProblem& problem);

// Intensity normalisation shared by the iterative methods, so that lambda means the same on
// every volume: the zero-filled image's 99th percentile magnitude becomes 1 (like BART's
// automatic scaling); `scale` > 0 overrides.
double data_scale(const ReconProblem& problem, double scale);

}  // namespace qs::mri
