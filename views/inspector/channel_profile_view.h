// Per-channel max |K| of one head before and after the codec's rotation, on one shared axis,
// with the rotary pair boundaries marked (where outliers from one RoPE pair sit together).
#pragma once
#include <vector>

#include "views/plot/plot_panel.h"

namespace qs::views {

class ChannelProfileView : public PlotPanel {
  Q_OBJECT
 public:
  explicit ChannelProfileView(QWidget* parent = nullptr);
  // adjacent_pairs: RoPE pairs (2i, 2i+1), else (i, i + hd/2).
  void setData(const std::vector<double>& before, const std::vector<double>& after, bool adjacent_pairs, const QString& after_label);
  int pointCount(int graph) const;

 private:
  std::vector<double> before_, after_;
};

}  // namespace qs::views
