// A titled QCustomPlot with PNG, PDF and CSV export of exactly what it shows. Every inspector
// plot is one of these; the subclass fills the plot and says what its CSV holds.
#pragma once
#include <QString>
#include <QWidget>
#include <functional>

class QCustomPlot;
class QLabel;

namespace qs::views {

class PlotPanel : public QWidget {
  Q_OBJECT
 public:
  // With no content the panel holds a QCustomPlot; any other widget (a token strip) is exported
  // by rendering it.
  explicit PlotPanel(const QString& title, QWidget* content = nullptr, QWidget* parent = nullptr);
  QCustomPlot* plot() const { return plot_; }
  QWidget* content() const { return content_; }
  QString title() const;
  void setTitle(const QString& title);
  // The data behind the picture, as CSV with a header line.
  virtual QString csv() const { return csv_ ? csv_() : QString(); }
  void setCsv(std::function<QString()> csv) { csv_ = std::move(csv); }
  // By suffix: .png, .pdf or .csv. Returns false (and says why in `error`) when it cannot write.
  bool exportTo(const QString& path, QString* error = nullptr) const;

 private:
  void askAndExport(const QString& filter, const QString& suffix);
  QCustomPlot* plot_ = nullptr;
  QWidget* content_ = nullptr;
  QLabel* title_ = nullptr;
  std::function<QString()> csv_;
};

}  // namespace qs::views
