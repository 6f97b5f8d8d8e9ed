#include "views/inspector/heatmap_view.h"

#include "views/plot/qcp.h"

#include <cmath>

namespace qs::views {

HeatmapView::HeatmapView(const QString& title, QWidget* parent) : PlotPanel(title, nullptr, parent) {
  QCustomPlot* p = plot();
  map_ = new QCPColorMap(p->xAxis, p->yAxis);
  scale_ = new QCPColorScale(p);
  p->plotLayout()->addElement(0, 1, scale_);
  scale_->setType(QCPAxis::atRight);
  map_->setColorScale(scale_);
  map_->setGradient(QCPColorGradient::gpThermal);
  map_->setInterpolate(false);
  auto* margins = new QCPMarginGroup(p);
  p->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
  scale_->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
  p->yAxis->setRangeReversed(true);  // row 0 at the top, like a matrix
  connect(p, &QCustomPlot::mousePress, this, [this](QMouseEvent* e) {
    const double x = plot()->xAxis->pixelToCoord(e->pos().x()), y = plot()->yAxis->pixelToCoord(e->pos().y());
    const int col = int(std::lround(x)), row = int(std::lround(y));
    if (row >= 0 && row < grid_.rows && col >= 0 && col < grid_.cols) Q_EMIT cellClicked(row, col);
  });
  setCsv([this] {
    QString out = "row,col,value\n";
    for (int64_t r = 0; r < grid_.rows; ++r)
      for (int64_t c = 0; c < grid_.cols; ++c) out += QString("%1,%2,%3\n").arg(r).arg(c).arg(grid_.at(r, c), 0, 'g', 8);
    return out;
  });
}

void HeatmapView::setAxisLabels(const QString& x, const QString& y, const QString& value) {
  plot()->xAxis->setLabel(x);
  plot()->yAxis->setLabel(y);
  scale_->axis()->setLabel(value);
}

void HeatmapView::setData(const Grid& grid, double low, double high, const std::vector<int>& marked_columns) {
  grid_ = grid;
  low_ = low;
  high_ = high > low ? high : low + 1e-9;
  QCustomPlot* p = plot();
  p->clearItems();
  map_->data()->setSize(int(grid.cols), int(grid.rows));
  map_->data()->setRange(QCPRange(0, double(std::max<int64_t>(0, grid.cols - 1))), QCPRange(0, double(std::max<int64_t>(0, grid.rows - 1))));
  for (int64_t r = 0; r < grid.rows; ++r)
    for (int64_t c = 0; c < grid.cols; ++c) map_->data()->setCell(int(c), int(r), grid.at(r, c));
  map_->setDataRange(QCPRange(low_, high_));
  // Marks sit in a strip above the map (pixels, not rows, so no phantom row appears).
  p->axisRect()->setMinimumMargins(QMargins(0, marked_columns.empty() ? 0 : 22, 0, 0));
  for (int c : marked_columns) {
    auto* tick = new QCPItemLine(p);
    tick->end->setCoords(c, -0.5);
    tick->start->setType(QCPItemPosition::ptAbsolute);
    tick->start->setParentAnchor(tick->end);
    tick->start->setCoords(0, -18);
    tick->setHead(QCPLineEnding::esSpikeArrow);
    tick->setPen(QPen(QColor(0, 160, 80), 2));
    tick->setClipToAxisRect(false);
  }
  p->xAxis->setRange(-0.5, double(grid.cols) - 0.5);
  p->yAxis->setRange(-0.5, double(grid.rows) - 0.5);
  p->replot();
}

}  // namespace qs::views
