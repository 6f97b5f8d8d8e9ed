// Plain data handed from engines to views: a row-major 2-D grid of floats and a 3-D stack of
// them. No torch, no Qt, so views can draw what engines computed without depending on either.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace qs {

struct Grid {
  int64_t rows = 0, cols = 0;
  std::vector<float> values;  // rows * cols, row-major

  Grid() = default;
  Grid(int64_t r, int64_t c, float fill = 0.f) : rows(r), cols(c), values(static_cast<size_t>(r * c), fill) {}
  bool empty() const { return values.empty(); }
  float at(int64_t r, int64_t c) const { return values[static_cast<size_t>(r * cols + c)]; }
  float& at(int64_t r, int64_t c) { return values[static_cast<size_t>(r * cols + c)]; }
};

// (slices, rows, cols) with the voxel spacing in mm along (cols, rows, slices), ITK's x, y, z.
struct Stack {
  int64_t slices = 0, rows = 0, cols = 0;
  std::vector<float> values;
  double spacing[3] = {1.0, 1.0, 1.0};

  bool empty() const { return values.empty(); }
  float at(int64_t s, int64_t r, int64_t c) const { return values[static_cast<size_t>((s * rows + r) * cols + c)]; }
};

// A labelled series for line and bar plots.
struct Series {
  std::string name;
  std::vector<double> x, y;
};

}  // namespace qs
