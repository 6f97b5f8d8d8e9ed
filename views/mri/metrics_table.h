// The MRI metrics table: one row per method and scope (the whole run, or one slice), columns
// PSNR, SSIM, NMSE and seconds; a click on a header sorts numerically.
#pragma once
#include <QString>
#include <QTableWidget>
#include <vector>

namespace qs::views {

struct MetricsRow {
  QString method, scope;  // scope: "volume (N slices)" or "slice 91"
  double psnr = 0, ssim = 0, nmse = 0, seconds = 0;
};

class MetricsTable : public QTableWidget {
  Q_OBJECT
 public:
  explicit MetricsTable(QWidget* parent = nullptr);
  void setRows(const std::vector<MetricsRow>& rows);
  // The table as shown (current sort order), with a header line.
  QString toCsv() const;
};

}  // namespace qs::views
