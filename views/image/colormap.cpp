#include "views/image/colormap.h"

#include <algorithm>
#include <cmath>

namespace qs::views {

QRgb colormap_rgb(Colormap map, float value, double low, double high) {
  if (std::isnan(value)) return qRgb(0, 0, 96);
  const double t = high > low ? std::clamp((value - low) / (high - low), 0.0, 1.0) : 0.0;
  if (map == Colormap::kGray) {
    const int g = int(std::lround(t * 255));
    return qRgb(g, g, g);
  }
  // hot: black -> red -> yellow -> white
  const int r = int(std::lround(std::clamp(t * 3.0, 0.0, 1.0) * 255));
  const int g = int(std::lround(std::clamp(t * 3.0 - 1.0, 0.0, 1.0) * 255));
  const int b = int(std::lround(std::clamp(t * 3.0 - 2.0, 0.0, 1.0) * 255));
  return qRgb(r, g, b);
}

QImage grid_to_image(const Grid& grid, Colormap map, double low, double high) {
  QImage img(int(grid.cols), int(grid.rows), QImage::Format_RGB32);
  for (int64_t r = 0; r < grid.rows; ++r) {
    auto* line = reinterpret_cast<QRgb*>(img.scanLine(int(r)));
    for (int64_t c = 0; c < grid.cols; ++c) line[c] = colormap_rgb(map, grid.at(r, c), low, high);
  }
  return img;
}

}  // namespace qs::views
