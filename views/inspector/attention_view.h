// Attention probabilities of one head (query x key) with the sink columns marked, and under
// it, on the same key axis, the attention each key receives (the column sums).
#pragma once
#include <vector>

#include "core/common/grid.h"
#include "views/plot/plot_panel.h"

class QCPAxisRect;
class QCPColorMap;
class QCPColorScale;

namespace qs::views {

class AttentionView : public PlotPanel {
  Q_OBJECT
 public:
  explicit AttentionView(QWidget* parent = nullptr);
  void setData(const Grid& probs, const std::vector<double>& received, const std::vector<int>& sinks);
  const Grid& data() const { return probs_; }

 private:
  QCPAxisRect* map_rect_ = nullptr;
  QCPAxisRect* bar_rect_ = nullptr;
  QCPColorMap* map_ = nullptr;
  QCPColorScale* scale_ = nullptr;
  Grid probs_;
  std::vector<double> received_;
};

}  // namespace qs::views
