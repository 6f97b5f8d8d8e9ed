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
  p->clearPlottables();
  auto* quantized = new QCPBars(p->xAxis, p->yAxis);
  auto* kept = new QCPBars(p->xAxis, p->yAxis);
  QVector<double> qk, qv, fk, fv;
  for (size_t t = 0; t < k.size(); ++t) {
    const bool full = t < fp.size() && fp[t];
    (full ? fk : qk) << double(t);
    // A kept token reads back exactly: draw a small stub so it stays visible at zero error.
    (full ? fv : qv) << (full ? std::max(k[t], 0.0) : k[t]);
  }
  quantized->setData(qk, qv);
  quantized->setName(tr("K, quantized tokens"));
  quantized->setBrush(QColor(200, 60, 40));
  quantized->setPen(Qt::NoPen);
  kept->setData(fk, fv);
  kept->setName(tr("K, kept in full precision (%1 tokens)").arg(fk.size()));
  kept->setBrush(QColor(0, 160, 80));
  kept->setPen(QPen(QColor(0, 160, 80), 2));
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
  p->yAxis->setRangeLower(0);
  p->yAxis->setRangeUpper(std::max(1e-6, p->yAxis->range().upper * 1.1));
  p->replot();
}

}  // namespace qs::views
