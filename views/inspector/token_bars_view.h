// Relative error ||x − x̂|| / ||x|| per token for K and V; tokens the cache keeps in full
// precision (sinks, the recent window) are drawn in green.
#pragma once
#include <vector>

#include "views/plot/plot_panel.h"

namespace qs::views {

class TokenBarsView : public PlotPanel {
  Q_OBJECT
 public:
  explicit TokenBarsView(QWidget* parent = nullptr);
  void setData(const std::vector<double>& k, const std::vector<double>& v, const std::vector<bool>& full_precision);
  int tokenCount() const { return int(k_.size()); }

 private:
  std::vector<double> k_, v_;
  std::vector<bool> fp_;
};

}  // namespace qs::views
