// Tensors to the plain data views draw (core/common/grid.h): copied to CPU float/double.
#pragma once
#include <vector>

#include <ATen/ATen.h>

#include "core/common/grid.h"

namespace qs::workbench {

Grid grid_from_tensor(const at::Tensor& matrix);              // 2-D
std::vector<double> vector_from_tensor(const at::Tensor& x);  // any shape, flattened

}  // namespace qs::workbench
