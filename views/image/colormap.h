// Colour lookup for scalar images: grey for anatomy, "hot" for error maps (black = no error).
#pragma once
#include <QColor>
#include <QImage>

#include "core/common/grid.h"

namespace qs::views {

enum class Colormap { kGray, kHot };

// value in [low, high] -> colour; outside is clamped. NaN is drawn dark blue so it is seen.
QRgb colormap_rgb(Colormap map, float value, double low, double high);
QImage grid_to_image(const Grid& grid, Colormap map, double low, double high);

}  // namespace qs::views
