#include "views/plot/plot_panel.h"

#include <QAbstractScrollArea>
#include <QCoreApplication>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPainter>
#include <QPdfWriter>
#include <QToolButton>
#include <QVBoxLayout>
#include <QWheelEvent>

#include "views/common/atomic_save.h"
#include "views/common/save_dialog.h"
#include "views/plot/qcp.h"

namespace qs::views {

PlotPanel::PlotPanel(const QString& title, QWidget* content, QWidget* parent) : QWidget(parent) {
  title_ = new QLabel(title);
  QFont f = title_->font();
  f.setBold(true);
  title_->setFont(f);
  title_->setWordWrap(true);
  if (!content) {
    plot_ = new QCustomPlot;
    content = plot_;
  }
  content_ = content;
  content_->setMinimumSize(240, 160);
  auto* head = new QHBoxLayout;
  head->addWidget(title_, 1);
  readout_ = new QLabel;
  readout_->setStyleSheet("color: #555");
  head->addWidget(readout_);
  if (plot_) {
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->setToolTip(tr("Drag: pan · Ctrl+wheel: zoom · double-click: show all"));
    plot_->installEventFilter(this);
    connect(plot_, &QCustomPlot::mouseDoubleClick, this, [this](QMouseEvent*) {
      plot_->rescaleAxes(true);
      plot_->replot();
    });
    connect(plot_, &QCustomPlot::mouseMove, this, [this](QMouseEvent* e) { readout_->setText(valueAt(e->pos())); });
  }
  for (const auto& [label, filter, suffix] : {std::tuple{"PNG", "PNG image (*.png)", "png"}, std::tuple{"PDF", "PDF (*.pdf)", "pdf"},
                                              std::tuple{"CSV", "CSV data (*.csv)", "csv"}}) {
    auto* b = new QToolButton;
    b->setText(label);
    b->setToolTip(tr("Export this plot as %1").arg(label));
    b->setAutoRaise(true);
    const QString fl = tr(filter), sx = suffix;
    connect(b, &QToolButton::clicked, this, [this, fl, sx] { askAndExport(fl, sx); });
    head->addWidget(b);
  }
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->setSpacing(0);
  layout->addLayout(head);
  layout->addWidget(content_, 1);
}

bool PlotPanel::eventFilter(QObject* watched, QEvent* event) {
  if (watched == plot_ && event->type() == QEvent::Wheel && !(static_cast<QWheelEvent*>(event)->modifiers() & Qt::ControlModifier)) {
    // A plain wheel scrolls the page the plot sits in instead of zooming under the cursor.
    for (QWidget* w = parentWidget(); w; w = w->parentWidget())
      if (auto* area = qobject_cast<QAbstractScrollArea*>(w)) {
        QCoreApplication::sendEvent(area->viewport(), event);
        break;
      }
    return true;
  }
  return QWidget::eventFilter(watched, event);
}

QString PlotPanel::valueAt(const QPoint& pixel) const {
  if (!plot_ || !plot_->axisRect()->rect().contains(pixel)) return {};
  const double x = plot_->xAxis->pixelToCoord(pixel.x()), y = plot_->yAxis->pixelToCoord(pixel.y());
  QString text = tr("x %1 · y %2").arg(x, 0, 'g', 4).arg(y, 0, 'g', 4);
  for (int i = 0; i < plot_->plottableCount(); ++i)
    if (auto* map = qobject_cast<QCPColorMap*>(plot_->plottable(i))) {
      int kx = 0, ky = 0;
      map->data()->coordToCell(x, y, &kx, &ky);
      if (kx >= 0 && ky >= 0 && kx < map->data()->keySize() && ky < map->data()->valueSize())
        text += tr(" · value %1").arg(map->data()->cell(kx, ky), 0, 'g', 4);
    }
  return text;
}

QString PlotPanel::readout() const { return readout_->text(); }

QString PlotPanel::title() const { return title_->text(); }
void PlotPanel::setTitle(const QString& title) { title_->setText(title); }

bool PlotPanel::exportTo(const QString& path, QString* error) const {
  const int w = std::max(content_->width(), 800), h = std::max(content_->height(), 500);
  const bool png = path.endsWith(".png", Qt::CaseInsensitive), pdf = path.endsWith(".pdf", Qt::CaseInsensitive), csv_file = path.endsWith(".csv", Qt::CaseInsensitive);
  if (!png && !pdf && !csv_file) {
    if (error) *error = tr("unknown export type for %1: use .png, .pdf or .csv").arg(path);
    return false;
  }
  // The title goes into the picture for the export only (a row above the axes), then leaves.
  QCPTextElement* heading = nullptr;
  if (plot_ && (png || pdf)) {
    plot_->plotLayout()->insertRow(0);
    QFont f = title_->font();
    f.setBold(true);
    heading = new QCPTextElement(plot_, title_->text(), f);
    plot_->plotLayout()->addElement(0, 0, heading);
  }
  const bool ok = save_atomically(path, [&](const QString& out) {
    if (png) return plot_ ? plot_->savePng(out, w, h) : content_->grab().save(out, "PNG");
    if (pdf) {
      if (plot_) return plot_->savePdf(out, w, h);
      QPdfWriter writer(out);
      writer.setPageSize(QPageSize(QSizeF(content_->width(), content_->height()), QPageSize::Point));
      writer.setPageMargins({});
      writer.setResolution(72);
      QPainter painter;
      if (!painter.begin(&writer)) return false;
      content_->render(&painter);
      return painter.end();
    }
    QFile f(out);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(csv().toUtf8()) >= 0 && f.flush();
  });
  if (heading) {
    plot_->plotLayout()->remove(heading);
    plot_->plotLayout()->simplify();
    plot_->replot();
  }
  if (!ok && error) *error = tr("could not write %1: check the folder exists and is writable").arg(path);
  return ok;
}

void PlotPanel::askAndExport(const QString& filter, const QString& suffix) {
  const QString path = ask_save_path(this, tr("Export %1").arg(title()), {}, filter, suffix);
  QString error;
  if (!path.isEmpty() && !exportTo(path, &error)) QMessageBox::warning(this, tr("Export"), error);
}

}  // namespace qs::views
