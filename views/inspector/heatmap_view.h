// A grid as a colour map with its colour scale: token x channel |K|, layers x heads overviews,
// token x layer massive activations. The range can be locked so two maps compare by colour;
// marked columns (sinks, tokens kept in full precision) get a tick above the map. A click
// reports the cell.
#pragma once
#include <vector>

#include "core/common/grid.h"
#include "views/plot/plot_panel.h"

class QCPColorMap;
class QCPColorScale;

namespace qs::views {

class HeatmapView : public PlotPanel {
  Q_OBJECT
 public:
  explicit HeatmapView(const QString& title, QWidget* parent = nullptr);
  void setAxisLabels(const QString& x, const QString& y, const QString& value);
  // rows are drawn top to bottom (row 0 at the top), columns left to right.
  void setData(const Grid& grid, double low, double high, const std::vector<int>& marked_columns = {});
  const Grid& data() const { return grid_; }
  double low() const { return low_; }
  double high() const { return high_; }

 Q_SIGNALS:
  void cellClicked(int row, int col);

 private:
  QCPColorMap* map_ = nullptr;
  QCPColorScale* scale_ = nullptr;
  Grid grid_;
  double low_ = 0, high_ = 1;
};

}  // namespace qs::views
