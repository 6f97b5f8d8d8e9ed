#include "app/workbench/tensor_to_plain.h"

#include <algorithm>

namespace qs::workbench {

Grid grid_from_tensor(const at::Tensor& matrix) {
  const at::Tensor t = matrix.to(at::kCPU, at::kFloat).contiguous();
  Grid g(t.size(0), t.size(1));
  std::copy(t.data_ptr<float>(), t.data_ptr<float>() + t.numel(), g.values.begin());
  return g;
}

std::vector<double> vector_from_tensor(const at::Tensor& x) {
  const at::Tensor t = x.to(at::kCPU, at::kDouble).contiguous();
  return std::vector<double>(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
}

}  // namespace qs::workbench
