#include "views/inspector/histogram_view.h"

#include "views/plot/qcp.h"

#include <algorithm>
#include <cmath>

namespace qs::views {

HistogramView::HistogramView(QWidget* parent) : PlotPanel(tr("Quantization error x − dequant(x)"), nullptr, parent) {
  plot()->xAxis->setLabel(tr("x − dequant(x)"));
  plot()->yAxis->setLabel(tr("elements"));
  plot()->legend->setVisible(true);
  setCsv([this] {
    QString out = "bin_low,bin_high,k_count,v_count\n";
    for (size_t b = 0; b + 1 < edges_.size(); ++b)
      out += QString("%1,%2,%3,%4\n").arg(edges_[b], 0, 'g', 8).arg(edges_[b + 1], 0, 'g', 8).arg(k_counts_[b]).arg(v_counts_[b]);
    return out;
  });
}

void HistogramView::setData(const std::vector<double>& k, const std::vector<double>& v, int bins) {
  double m = 0;
  for (double x : k) m = std::max(m, std::abs(x));
  for (double x : v) m = std::max(m, std::abs(x));
  if (m == 0) m = 1e-6;  // a lossless cache: every error is exactly zero
  edges_.resize(size_t(bins) + 1);
  for (int b = 0; b <= bins; ++b) edges_[size_t(b)] = -m + 2 * m * b / bins;
  auto count = [&](const std::vector<double>& xs) {
    std::vector<double> c(size_t(bins), 0);
    for (double x : xs) c[size_t(std::clamp(int((x + m) / (2 * m) * bins), 0, bins - 1))] += 1;
    return c;
  };
  k_counts_ = count(k);
  v_counts_ = count(v);
  QCustomPlot* p = plot();
  p->clearPlottables();
  const double width = 2 * m / bins;
  auto add = [&](const std::vector<double>& counts, const QString& name, const QColor& color, double shift) {
    auto* bars = new QCPBars(p->xAxis, p->yAxis);
    QVector<double> keys, values;
    for (int b = 0; b < bins; ++b) {
      keys << edges_[size_t(b)] + width * (0.5 + shift);
      values << counts[size_t(b)];
    }
    bars->setData(keys, values);
    bars->setWidth(width * 0.45);
    bars->setName(name);
    bars->setBrush(color);
    bars->setPen(Qt::NoPen);
  };
  add(k_counts_, tr("K (%1 elements)").arg(k.size()), QColor(200, 60, 40, 200), -0.22);
  add(v_counts_, tr("V (%1 elements)").arg(v.size()), QColor(30, 100, 200, 200), 0.22);
  p->rescaleAxes();
  p->xAxis->setRange(-m * 1.02, m * 1.02);
  p->yAxis->setRangeLower(0);
  p->yAxis->setRangeUpper(p->yAxis->range().upper * 1.1);
  p->replot();
}

}  // namespace qs::views
