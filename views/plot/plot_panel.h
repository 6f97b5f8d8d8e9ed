// A titled QCustomPlot with PNG, PDF and CSV export of exactly what it shows (the PNG and PDF
// carry the title: layer, head and codec travel with the picture). Every inspector plot is one
// of these; the subclass fills the plot and says what its CSV holds. Drag pans, Ctrl+wheel zooms
// (a plain wheel scrolls the page, as everywhere in the workbench), a double click shows all
// the data again, and the value under the cursor is read out beside the title.
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
  // What the readout says for a point of the plot (pixels): the axes' coordinates, and a colour
  // map's cell value there.
  QString valueAt(const QPoint& pixel) const;
  QString readout() const;

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void askAndExport(const QString& filter, const QString& suffix);
  QCustomPlot* plot_ = nullptr;
  QWidget* content_ = nullptr;
  QLabel* title_ = nullptr;
  QLabel* readout_ = nullptr;
  std::function<QString()> csv_;
};

}  // namespace qs::views
