// The MRI metrics table: one row per method and scope (the whole run, or one slice), columns
// PSNR, SSIM, NMSE and seconds; a click on a header sorts numerically.
#pragma once
#include <QString>
#include <QTableWidget>
#include <vector>

namespace qs::views {

struct MetricsRow {
  QString method, scope;  // scope: "axial stack (316 slices) ..." or "slice 91"
  double psnr = 0, ssim = 0, nmse = 0, seconds = 0;
  int slice = -1;  // the row's slice (scope sorts by it; a click asks to show it), -1: a whole run
  QString scope_tip;  // the scope cell's tooltip (what the PSNR's data range was)
};

class MetricsTable : public QTableWidget {
  Q_OBJECT
 public:
  explicit MetricsTable(QWidget* parent = nullptr);
  void setRows(const std::vector<MetricsRow>& rows);
  // The table as shown (current sort order), with a header line.
  QString toCsv() const;

 Q_SIGNALS:
  void sliceActivated(int slice);  // a row of one slice was clicked
};

}  // namespace qs::views
