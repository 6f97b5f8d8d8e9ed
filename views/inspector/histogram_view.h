// Histogram of quantization errors x - dequant(x) for K and V on shared bins.
#pragma once
#include <vector>

#include "views/plot/plot_panel.h"

namespace qs::views {

class HistogramView : public PlotPanel {
  Q_OBJECT
 public:
  explicit HistogramView(QWidget* parent = nullptr);
  void setData(const std::vector<double>& k_values, const std::vector<double>& v_values, int bins = 61);
  int binCount() const { return int(edges_.size()) - 1; }

 private:
  std::vector<double> edges_, k_counts_, v_counts_;
};

}  // namespace qs::views
