#include "views/inspector/token_bars_view.h"

#include "views/plot/qcp.h"

namespace qs::views {

TokenBarsView::TokenBarsView(QWidget* parent) : PlotPanel(tr("Relative error per token"), nullptr, parent) {
  plot()->xAxis->setLabel(tr("token position"));
  plot()->yAxis->setLabel(tr("‖x − x̂‖ / ‖x‖"));
  plot()->legend->setVisible(true);
  setCsv([this] {
    QString out = "token,k_relative_error,v_relative_error,k_full_precision\n";
    for (size_t t = 0; t < k_.size(); ++t)
      out += QString("%1,%2,%3,%4\n").arg(t).arg(k_[t], 0, 'g', 8).arg(t < v_.size() ? v_[t] : 0.0, 0, 'g', 8).arg(t < fp_.size() && fp_[t] ? 1 : 0);
    return out;
  });
}

void TokenBarsView::setData(const std::vector<double>& k, const std::vector<double>& v, const std::vector<bool>& fp) {
  k_ = k, v_ = v, fp_ = fp;
  QCustomPlot* p = plot();
  p->clearPlottables();  // graphs included
  auto* quantized = new QCPBars(p->xAxis, p->yAxis);
  QVector<double> qk, qv, fk, fv;
  for (size_t t = 0; t < k.size(); ++t) {
    const bool full = t < fp.size() && fp[t];
    (full ? fk : qk) << double(t);
    (full ? fv : qv) << k[t];
  }
  quantized->setData(qk, qv);
  quantized->setName(tr("K, quantized tokens"));
  quantized->setBrush(QColor(200, 60, 40));
  quantized->setPen(Qt::NoPen);
  // Kept tokens read back exactly (zero error, no bar): a green marker on the axis shows them.
  QCPGraph* kept = p->addGraph();
  kept->setData(fk, fv);
  kept->setLineStyle(QCPGraph::lsNone);
  kept->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssTriangle, QPen(QColor(0, 160, 80), 1.5), QBrush(QColor(0, 160, 80)), 8));
  kept->setName(tr("K, kept in full precision (%1 tokens)").arg(fk.size()));
  QVector<double> xs, ys;
  for (size_t t = 0; t < v.size(); ++t) {
    xs << double(t);
    ys << v[t];
  }
  QCPGraph* g = p->addGraph();
  g->setData(xs, ys);
  g->setName(tr("V"));
  g->setPen(QPen(QColor(30, 100, 200), 1.2));
  p->rescaleAxes();
  p->xAxis->setRange(-1, double(k.size()));
  // A little room below zero so the full-precision markers on the axis are drawn whole.
  const double top = std::max(1e-6, p->yAxis->range().upper * 1.1);
  p->yAxis->setRange(-0.05 * top, top);
  p->replot();
}

}  // namespace qs::views
