#include "views/inspector/attention_view.h"

#include "views/plot/qcp.h"

#include <cmath>

namespace qs::views {

AttentionView::AttentionView(QWidget* parent) : PlotPanel(tr("Attention (query × key)"), nullptr, parent) {
  QCustomPlot* p = plot();
  p->plotLayout()->clear();
  map_rect_ = new QCPAxisRect(p);
  bar_rect_ = new QCPAxisRect(p);
  scale_ = new QCPColorScale(p);
  p->plotLayout()->addElement(0, 0, map_rect_);
  p->plotLayout()->addElement(0, 1, scale_);
  p->plotLayout()->addElement(1, 0, bar_rect_);
  p->plotLayout()->setRowStretchFactor(1, 0.35);
  auto* columns = new QCPMarginGroup(p);
  map_rect_->setMarginGroup(QCP::msLeft | QCP::msRight, columns);
  bar_rect_->setMarginGroup(QCP::msLeft | QCP::msRight, columns);
  auto* rows = new QCPMarginGroup(p);
  map_rect_->setMarginGroup(QCP::msLeft | QCP::msRight | QCP::msTop | QCP::msBottom, nullptr);
  map_rect_->setMarginGroup(QCP::msLeft | QCP::msRight, columns);
  map_rect_->setMarginGroup(QCP::msTop | QCP::msBottom, rows);
  scale_->setMarginGroup(QCP::msTop | QCP::msBottom, rows);
  map_ = new QCPColorMap(map_rect_->axis(QCPAxis::atBottom), map_rect_->axis(QCPAxis::atLeft));
  map_->setColorScale(scale_);
  map_->setGradient(QCPColorGradient::gpHot);
  map_->setInterpolate(false);
  scale_->axis()->setLabel(tr("probability"));
  map_rect_->axis(QCPAxis::atLeft)->setLabel(tr("query token"));
  map_rect_->axis(QCPAxis::atLeft)->setRangeReversed(true);
  map_rect_->axis(QCPAxis::atBottom)->setLabel(tr("key token"));
  bar_rect_->axis(QCPAxis::atBottom)->setLabel(tr("key token"));
  bar_rect_->axis(QCPAxis::atLeft)->setLabel(tr("received"));
  setCsv([this] {
    QString out = "query,key,probability\n";
    for (int64_t q = 0; q < probs_.rows; ++q)
      for (int64_t k = 0; k < probs_.cols; ++k) out += QString("%1,%2,%3\n").arg(q).arg(k).arg(probs_.at(q, k), 0, 'g', 8);
    out += "\nkey,attention_received\n";
    for (size_t k = 0; k < received_.size(); ++k) out += QString("%1,%2\n").arg(k).arg(received_[k], 0, 'g', 8);
    return out;
  });
}

void AttentionView::setData(const Grid& probs, const std::vector<double>& received, const std::vector<int>& sinks) {
  probs_ = probs;
  received_ = received;
  QCustomPlot* p = plot();
  p->clearItems();
  for (int i = p->plottableCount() - 1; i >= 0; --i)
    if (p->plottable(i) != map_) p->removePlottable(i);
  map_->data()->setSize(int(probs.cols), int(probs.rows));
  map_->data()->setRange(QCPRange(0, double(std::max<int64_t>(0, probs.cols - 1))), QCPRange(0, double(std::max<int64_t>(0, probs.rows - 1))));
  // sqrt colour scale would hide the sinks' dominance; linear 0..max shows where mass goes.
  double hi = 0;
  for (int64_t r = 0; r < probs.rows; ++r)
    for (int64_t c = 0; c < probs.cols; ++c) {
      map_->data()->setCell(int(c), int(r), probs.at(r, c));
      hi = std::max(hi, double(probs.at(r, c)));
    }
  map_->setDataRange(QCPRange(0, hi > 0 ? hi : 1));
  auto* bars = new QCPBars(bar_rect_->axis(QCPAxis::atBottom), bar_rect_->axis(QCPAxis::atLeft));
  auto* sink_bars = new QCPBars(bar_rect_->axis(QCPAxis::atBottom), bar_rect_->axis(QCPAxis::atLeft));
  QVector<double> k, v, sk, sv;
  for (size_t i = 0; i < received.size(); ++i) {
    const bool sink = std::find(sinks.begin(), sinks.end(), int(i)) != sinks.end();
    (sink ? sk : k) << double(i);
    (sink ? sv : v) << received[i];
  }
  bars->setData(k, v);
  bars->setBrush(QColor(120, 120, 120));
  bars->setPen(Qt::NoPen);
  sink_bars->setData(sk, sv);
  sink_bars->setBrush(QColor(0, 160, 80));
  sink_bars->setPen(Qt::NoPen);
  for (int c : sinks) {
    auto* line = new QCPItemStraightLine(p);
    line->setClipAxisRect(map_rect_);
    line->point1->setAxes(map_rect_->axis(QCPAxis::atBottom), map_rect_->axis(QCPAxis::atLeft));
    line->point2->setAxes(map_rect_->axis(QCPAxis::atBottom), map_rect_->axis(QCPAxis::atLeft));
    line->point1->setCoords(c, 0);
    line->point2->setCoords(c, 1);
    line->setPen(QPen(QColor(0, 200, 100, 170), 1, Qt::DashLine));
  }
  const double n = double(probs.cols);
  map_rect_->axis(QCPAxis::atBottom)->setRange(-0.5, n - 0.5);
  map_rect_->axis(QCPAxis::atLeft)->setRange(-0.5, double(probs.rows) - 0.5);
  bar_rect_->axis(QCPAxis::atBottom)->setRange(-0.5, n - 0.5);
  double top = 0;
  for (double x : received) top = std::max(top, x);
  bar_rect_->axis(QCPAxis::atLeft)->setRange(0, top > 0 ? top * 1.1 : 1);
  bars->setWidth(0.9);
  sink_bars->setWidth(0.9);
  p->replot();
}

}  // namespace qs::views
