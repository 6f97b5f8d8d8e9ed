// Views draw what they are handed: colour scales map values as labelled, the metrics table
// sorts numbers as numbers and writes what it shows, a heatmap reports the cell clicked.
#include <QSignalSpy>
#include <limits>
#include <QTest>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QApplication>
#include <QWheelEvent>

#include "views/common/atomic_save.h"
#include "views/image/colormap.h"
#include "views/inspector/heatmap_view.h"
#include "views/mri/metrics_table.h"
#include "views/plot/qcp.h"

using namespace qs::views;

namespace {
// 4 x 5 cells holding 0..19 row by row: a cell's value names its place.
qs::Grid counting_grid() {
  qs::Grid g(4, 5);
  for (int64_t r = 0; r < 4; ++r)
    for (int64_t c = 0; c < 5; ++c) g.at(r, c) = float(r * 5 + c);
  return g;
}
}  // namespace

class ViewsTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void savesWholeOrNotAtAll() {
    QTemporaryDir dir;
    const QString path = dir.filePath("metrics.csv");
    auto write_text = [](const QString& file, const QByteArray& text) {
      QFile f(file);
      return f.open(QIODevice::WriteOnly) && f.write(text) == text.size();
    };
    QVERIFY(qs::views::save_atomically(path, [&](const QString& out) { return write_text(out, "old\n"); }));
    // A writer that fails half-way: the old file stays, no temporary is left.
    QVERIFY(!qs::views::save_atomically(path, [&](const QString& out) { return write_text(out, "half") && false; }));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray("old\n"));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 1);
    // A missing folder: refused.
    QVERIFY(!qs::views::save_atomically(dir.filePath("no/such/x.csv"), [&](const QString& out) { return write_text(out, "x"); }));
  }

  void colourMapsClampAndShowNaN() {
    QCOMPARE(colormap_rgb(Colormap::kGray, 0.f, 0, 10), qRgb(0, 0, 0));
    QCOMPARE(colormap_rgb(Colormap::kGray, 10.f, 0, 10), qRgb(255, 255, 255));
    QCOMPARE(colormap_rgb(Colormap::kGray, 99.f, 0, 10), qRgb(255, 255, 255));  // clamped
    QCOMPARE(colormap_rgb(Colormap::kGray, 5.f, 0, 10), qRgb(128, 128, 128));
    QCOMPARE(colormap_rgb(Colormap::kHot, 0.f, 0, 1), qRgb(0, 0, 0));
    QCOMPARE(colormap_rgb(Colormap::kHot, 1.f, 0, 1), qRgb(255, 255, 255));
    QCOMPARE(colormap_rgb(Colormap::kGray, std::nanf(""), 0, 1), qRgb(0, 0, 96));
    qs::Grid g(2, 3, 1.f);
    g.at(1, 2) = 0.f;
    const QImage img = grid_to_image(g, Colormap::kGray, 0, 1);
    QCOMPARE(img.size(), QSize(3, 2));
    QCOMPARE(img.pixel(2, 1), qRgb(0, 0, 0));
    QCOMPARE(img.pixel(0, 0), qRgb(255, 255, 255));
  }

  void metricsSortAsNumbers() {
    MetricsTable t;
    t.setRows({{"a", "slice 1", 9.5, 0.5, 0.1, 1}, {"b", "slice 2", 10.25, 0.6, 0.05, 2}, {"c", "slice 3", 100.0, 0.9, 0.01, 3}});
    t.sortItems(2, Qt::AscendingOrder);  // as text "10.25" < "100.00" < "9.50"
    QCOMPARE(t.item(0, 0)->text(), QString("a"));
    QCOMPARE(t.item(2, 0)->text(), QString("c"));
    const QString csv = t.toCsv();
    QVERIFY(csv.startsWith("method,scope,psnr,ssim,nmse,seconds\na,slice 1,9.5,0.5,0.1,1\n"));
    // An empty slice reconstructed exactly has PSNR inf: it says so and sorts below the numbers
    // (it used to lead every descending sort); the CSV keeps the value itself.
    t.setRows({{"a", "slice 1", 30.0, 0.5, 0.1, 1}, {"b", "slice 0", std::numeric_limits<double>::infinity(), 1.0, 0.0, 1}, {"c", "slice 2", 20.0, 0.9, 0.01, 1}});
    t.sortItems(2, Qt::DescendingOrder);
    QCOMPARE(t.item(0, 0)->text(), QString("a"));
    QCOMPARE(t.item(2, 2)->text(), QString("inf (exact)"));
    QVERIFY(t.toCsv().contains("b,slice 0,inf,1,0,1"));
  }

  void heatmapReportsTheClickedCell() {
    HeatmapView h("test");
    h.resize(400, 300);
    h.show();
    const qs::Grid g = counting_grid();
    h.setData(g, 0, 19);
    QVERIFY(QTest::qWaitForWindowExposed(&h));
    QSignalSpy clicked(&h, &HeatmapView::cellClicked);
    QCustomPlot* p = h.plot();
    const QPoint at(int(p->xAxis->coordToPixel(3)), int(p->yAxis->coordToPixel(1)));
    QTest::mouseClick(p, Qt::LeftButton, {}, at);
    QCOMPARE(clicked.count(), 1);
    QCOMPARE(clicked.first().at(0).toInt(), 1);  // row
    QCOMPARE(clicked.first().at(1).toInt(), 3);  // column
    QVERIFY(h.csv().startsWith("row,col,value\n0,0,0\n"));
  }

  // Issue "workbench model layer": inspector plots had no zoom, pan or value on hover, and
  // exported PNGs carried no title.
  void plotsZoomReadOutAndExportWithTheirTitle() {
    HeatmapView h("K |x| · layer 3 · rotatekv-2");
    h.resize(500, 360);
    h.show();
    const qs::Grid g = counting_grid();
    h.setData(g, 0, 19);
    QVERIFY(QTest::qWaitForWindowExposed(&h));
    QCustomPlot* p = h.plot();
    const QPoint at(int(p->xAxis->coordToPixel(3)), int(p->yAxis->coordToPixel(1)));
    QTest::mouseMove(p, at);
    QTRY_VERIFY2(h.readout().contains("value"), qPrintable(h.readout()));
    QVERIFY2(h.readout().contains(QString::number(g.at(1, 3))), qPrintable(h.readout()));
    // A plain wheel leaves the range alone (it scrolls the page); Ctrl+wheel zooms.
    const QCPRange before = p->xAxis->range();
    QWheelEvent plain(QPointF(at), p->mapToGlobal(QPointF(at)), {}, {0, 120}, Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(p, &plain);
    QCOMPARE(p->xAxis->range().size(), before.size());
    QWheelEvent ctrl(QPointF(at), p->mapToGlobal(QPointF(at)), {}, {0, 120}, Qt::NoButton, Qt::ControlModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(p, &ctrl);
    QVERIFY(p->xAxis->range().size() < before.size());
    // The exported PNG has the title on top; the plot's layout is as it was afterwards.
    QTemporaryDir dir;
    const int elements = p->plotLayout()->elementCount();
    QVERIFY(h.exportTo(dir.filePath("with.png")));
    QCOMPARE(p->plotLayout()->elementCount(), elements);
    h.setTitle("");
    QVERIFY(h.exportTo(dir.filePath("without.png")));
    const QImage with(dir.filePath("with.png")), without(dir.filePath("without.png"));
    QCOMPARE(with.size(), without.size());
    auto dark_in_top = [](const QImage& img) {
      int n = 0;
      for (int y = 0; y < 24; ++y)
        for (int x = 0; x < img.width(); ++x) n += qGray(img.pixel(x, y)) < 128 ? 1 : 0;
      return n;
    };
    QVERIFY2(dark_in_top(with) > dark_in_top(without) + 50, qPrintable(QString("%1 vs %2").arg(dark_in_top(with)).arg(dark_in_top(without))));
  }
};

QTEST_MAIN(ViewsTest)
#include "views_test.moc"
