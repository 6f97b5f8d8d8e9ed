#include "views/inspector/channel_profile_view.h"

#include "views/plot/qcp.h"

namespace qs::views {

ChannelProfileView::ChannelProfileView(QWidget* parent) : PlotPanel(tr("Per-channel max |K|"), nullptr, parent) {
  QCustomPlot* p = plot();
  p->xAxis->setLabel(tr("channel (within the head)"));
  p->yAxis->setLabel(tr("max over tokens of |K|"));
  p->legend->setVisible(true);
  p->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
  setCsv([this] {
    QString out = "channel,max_abs_before,max_abs_after\n";
    for (size_t c = 0; c < before_.size(); ++c) out += QString("%1,%2,%3\n").arg(c).arg(before_[c], 0, 'g', 8).arg(c < after_.size() ? after_[c] : 0.0, 0, 'g', 8);
    return out;
  });
}

void ChannelProfileView::setData(const std::vector<double>& before, const std::vector<double>& after, bool adjacent_pairs, const QString& after_label) {
  before_ = before;
  after_ = after;
  QCustomPlot* p = plot();
  p->clearGraphs();
  p->clearItems();
  auto add = [p](const std::vector<double>& y, const QString& name, const QColor& color) {
    QVector<double> xs, ys;
    for (size_t i = 0; i < y.size(); ++i) {
      xs << double(i);
      ys << y[i];
    }
    QCPGraph* g = p->addGraph();
    g->setData(xs, ys);
    g->setName(name);
    g->setPen(QPen(color, 1.6));
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 4));
  };
  add(before, tr("before (post-RoPE keys)"), QColor(200, 60, 40));
  add(after, after_label, QColor(30, 100, 200));
  // Rotary pairs: (2i, 2i+1) are marked every pair, (i, i+hd/2) by the half-way line.
  const int hd = int(before.size());
  const QPen pen(QColor(150, 150, 150), 1, Qt::DotLine);
  if (adjacent_pairs) {
    for (int c = 2; c < hd; c += 2) {
      auto* l = new QCPItemStraightLine(p);
      l->point1->setCoords(c - 0.5, 0);
      l->point2->setCoords(c - 0.5, 1);
      l->setPen(pen);
    }
  } else if (hd > 1) {
    auto* l = new QCPItemStraightLine(p);
    l->point1->setCoords(hd / 2 - 0.5, 0);
    l->point2->setCoords(hd / 2 - 0.5, 1);
    l->setPen(QPen(QColor(120, 120, 120), 1.5, Qt::DashLine));
  }
  setTitle(tr("Per-channel max |K| before and after the rotation · RoPE pairs %1 (dotted)").arg(adjacent_pairs ? "(2i, 2i+1)" : "(i, i+hd/2)"));
  double top = 0;
  for (double y : before) top = std::max(top, y);
  for (double y : after) top = std::max(top, y);
  p->xAxis->setRange(-0.5, hd - 0.5);
  p->yAxis->setRange(0, top > 0 ? top * 1.1 : 1.0);
  p->replot();
}

int ChannelProfileView::pointCount(int graph) const {
  return graph < plot()->graphCount() ? plot()->graph(graph)->dataCount() : 0;
}

}  // namespace qs::views
