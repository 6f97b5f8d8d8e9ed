// The MRI workspace end to end under the offscreen platform, on Colin27: open it, reconstruct
// one slice with zero-filled and cs-tv at 4x, read the metrics table; cancel a deliberately
// slow method and check the UI thread kept running and got control back within a second.
#include <QApplication>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QMimeData>
#include <QUrl>
#include <QElapsedTimer>
#include <QSettings>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>
#include <QWheelEvent>
#include <chrono>
#include <thread>

#include "app/workbench/mri_workspace.h"
#include "app/workbench/recent_files_combo.h"
#include "core/mri/recon/recon_method.h"
#include "core/mri/io/volume_io.h"
#include "tests/support/test_support.h"
#include "views/image/slice_view.h"
#include "views/mri/metrics_table.h"

using qs::workbench::MriWorkspace;

namespace {
const QString kColin27 = "/usr/share/mricron/templates/ch2better.nii.gz";

// A method that takes 20 ms per iteration for 500 iterations and honours Cancel, as the
// contract asks: it stands in for a long reconstruction (LDPM sampling, many CS iterations).
class SlowMethod : public qs::mri::ReconMethod {
 public:
  std::vector<qs::mri::OptionInfo> options() const override { return {}; }
  at::Tensor reconstruct(const qs::mri::ReconProblem& p, const qs::mri::ReconOptions&, const qs::ProgressFn& progress,
                         const qs::CancelToken& cancel) const override {
    for (int i = 0; i < 500; ++i) {
      cancel.check();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      if (progress) progress(i + 1, 500);
    }
    return at::abs(p.kspace.select(1, 0));
  }
};

void close_message_boxes_soon() {
  QTimer::singleShot(500, [] {
    for (QWidget* w : QApplication::topLevelWidgets())
      if (w->inherits("QMessageBox")) w->close();
  });
}

bool open_colin27(MriWorkspace& mri) {
  QSignalSpy ready(&mri, &MriWorkspace::volumeReady);
  mri.openVolume(kColin27);
  return ready.wait(30000);
}

double psnr_of(const qs::views::MetricsTable* t, const QString& method) {
  for (int r = 0; r < t->rowCount(); ++r)
    if (t->item(r, 0)->text() == method) return t->item(r, 2)->data(Qt::UserRole).toDouble();
  return -1;
}
}  // namespace

class MriWorkspaceTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void init() { QSettings().clear(); }  // each case starts from the defaults
  void initTestCase() {
    QCoreApplication::setOrganizationName("QuantiscopeTest");
    qs::mri::recon_registry().add("slow-test", "test only: 10 s of sleeping that honours Cancel", [] { return std::make_unique<SlowMethod>(); });
  }

  void colin27ZeroFilledAndCsTvAt4x() {
    MriWorkspace mri;
    mri.resize(1200, 800);
    QVERIFY(open_colin27(mri));
    QCOMPARE(mri.sync()->sliceCount(qs::workbench::Plane::kAxial), 316);  // 301 x 370 x 316 at 0.5 mm
    QCOMPARE(mri.sync()->slice(), 158);
    mri.setMask("random", 4.0);
    mri.setMethodsChecked({"zero-filled", "cs-tv"});
    QSignalSpy done(&mri, &MriWorkspace::runFinished);
    mri.run(false);
    QVERIFY(mri.isBusy());
    QVERIFY(done.wait(120000));
    const auto* table = mri.metricsTable();
    QCOMPARE(table->rowCount(), 2);  // one slice: one row per method
    const double zf = psnr_of(table, "zero-filled"), tv = psnr_of(table, "cs-tv");
    QVERIFY2(zf > 15 && zf < 60, qPrintable(QString::number(zf)));
    QVERIFY2(tv > zf, qPrintable(QString("cs-tv %1 dB vs zero-filled %2 dB").arg(tv).arg(zf)));
    qInfo("Colin27 axial slice 158, random 4x: zero-filled %.2f dB, cs-tv %.2f dB", zf, tv);
    // The grid shows target + 2 methods with their error maps, all holding the 370 x 301 slice.
    const auto views = mri.comparisonGrid()->findChildren<qs::views::SliceView*>();
    QCOMPARE(views.size(), 5);
    for (const auto* v : views) {
      QCOMPARE(v->grid().rows, 370);
      QCOMPARE(v->grid().cols, 301);
    }
    // Results save as NIfTI and as CSV; an existing file is not replaced without asking.
    qs::test::TempDir dir;
    const QString nii = QString::fromStdString(dir.path()) + "/cs-tv.nii.gz";
    QSignalSpy saved(&mri, &MriWorkspace::resultSaved);
    mri.saveResultTo("cs-tv", nii, false);
    QVERIFY(saved.wait(20000));
    QVERIFY(QFileInfo(nii).size() > 10000);
    const QDateTime written = QFileInfo(nii).lastModified();
    close_message_boxes_soon();
    mri.saveResultTo("cs-tv", nii, false);
    QVERIFY(!saved.wait(1500));
    QCOMPARE(QFileInfo(nii).lastModified(), written);
    QVERIFY(mri.saveCsv(QString::fromStdString(dir.path()) + "/metrics.csv"));
    QFile csv(QString::fromStdString(dir.path()) + "/metrics.csv");
    QVERIFY(csv.open(QIODevice::ReadOnly));
    QVERIFY(csv.readAll().startsWith("method,scope,psnr,ssim,nmse,seconds\n"));
    QVERIFY(mri.savePng(QString::fromStdString(dir.path()) + "/grid.png"));
    // Moving to another slice: the methods say it was not reconstructed instead of showing stale images.
    mri.sync()->setSlice(10);
    int empty = 0;
    for (const auto* v : views) empty += v->grid().empty() ? 1 : 0;
    QCOMPARE(empty, 4);
  }

  void theGridMovesAsOneAndTheWholeStackIsScoredPerSlice() {
    MriWorkspace mri;
    mri.resize(1200, 800);
    mri.show();
    QVERIFY(open_colin27(mri));
    mri.sync()->setPlane(qs::workbench::Plane::kCoronal);
    mri.setMethodsChecked({"zero-filled"});
    QSignalSpy done(&mri, &MriWorkspace::runFinished);
    mri.run(true);  // every coronal slice: 370 of 316 x 301
    QVERIFY(done.wait(120000));
    auto* table = mri.metricsTable();
    QCOMPARE(table->rowCount(), 1 + 370);
    for (int r = 0; r < table->rowCount(); ++r)
      if (table->item(r, 1)->text().contains("stack"))
        qInfo("zero-filled, every coronal slice at 4x: PSNR %.2f dB, SSIM %.4f, %.1f s", table->item(r, 2)->data(Qt::UserRole).toDouble(),
              table->item(r, 3)->data(Qt::UserRole).toDouble(), table->item(r, 5)->data(Qt::UserRole).toDouble());
    // Sorting by PSNR (ascending, then descending) orders the rows numerically.
    for (Qt::SortOrder order : {Qt::AscendingOrder, Qt::DescendingOrder}) {
      table->sortItems(2, order);
      for (int r = 1; r < table->rowCount(); ++r) {
        const double prev = table->item(r - 1, 2)->data(Qt::UserRole).toDouble(), cur = table->item(r, 2)->data(Qt::UserRole).toDouble();
        QVERIFY(order == Qt::AscendingOrder ? prev <= cur : prev >= cur);
      }
    }
    const auto views = mri.comparisonGrid()->findChildren<qs::views::SliceView*>();
    QCOMPARE(views.size(), 3);  // target, zero-filled, its error map
    for (const auto* v : views) QCOMPARE(v->grid().rows, 316);  // coronal: slices run top to bottom
    qs::views::SliceView* target = nullptr;
    qs::views::SliceView* error = nullptr;
    for (auto* v : views) {
      if (v->title().startsWith("target")) target = v;
      if (v->title().startsWith("|error|")) error = v;
    }
    QVERIFY(target && error);
    const double error_high = error->high();
    // Ctrl+wheel on the error map zooms every pane; a drag on the target changes every
    // anatomical pane's window/level but not the error scale; the wheel moves every pane's slice.
    const QPointF centre(error->width() / 2.0, error->height() / 2.0);
    QWheelEvent zoom(centre, error->mapToGlobal(centre), {}, {0, 120}, Qt::NoButton, Qt::ControlModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(error, &zoom);
    for (const auto* v : views) QCOMPARE(v->zoom(), 1.25);
    const double low = target->low(), high = target->high();
    QMouseEvent press(QEvent::MouseButtonPress, centre, target->mapToGlobal(centre), Qt::LeftButton, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &press);
    const QPointF moved = centre + QPointF(60, -40);
    QMouseEvent move(QEvent::MouseMove, moved, target->mapToGlobal(moved), Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &move);
    QVERIFY(target->low() != low || target->high() != high);
    for (const auto* v : views)
      if (v != error) {
        QCOMPARE(v->low(), target->low());
        QCOMPARE(v->high(), target->high());
      }
    QCOMPARE(error->high(), error_high);
    const int slice = mri.sync()->slice();
    QWheelEvent step(centre, target->mapToGlobal(centre), {}, {0, -240}, Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(target, &step);
    QCOMPARE(mri.sync()->slice(), slice - 2);
    for (const auto* v : views) QVERIFY(!v->grid().empty());  // the whole stack was reconstructed
  }

  void cancellingASlowMethodReturnsWithinASecond() {
    MriWorkspace mri;
    QVERIFY(open_colin27(mri));
    mri.setMethodsChecked({"slow-test"});
    QSignalSpy failed(&mri, &MriWorkspace::runFailed);
    // The UI thread must keep turning while the worker runs: a 10 ms timer counts its gaps.
    QElapsedTimer clock;
    clock.start();
    qint64 last = 0, worst_gap = 0;
    QTimer tick;
    QObject::connect(&tick, &QTimer::timeout, [&] {
      worst_gap = std::max(worst_gap, clock.elapsed() - last);
      last = clock.elapsed();
    });
    tick.start(10);
    mri.run(true);
    QTest::qWait(600);
    QVERIFY(mri.isBusy());
    QElapsedTimer t;
    t.start();
    mri.cancel();
    QVERIFY(failed.wait(5000));
    QVERIFY2(t.elapsed() < 1000, qPrintable(QString::number(t.elapsed())));
    QVERIFY(!mri.isBusy());
    QVERIFY(mri.statusText().contains("Cancelled"));
    QVERIFY2(worst_gap < 250, qPrintable(QString("UI thread stalled %1 ms").arg(worst_gap)));
    qInfo("cancel returned after %lld ms; longest UI-thread gap while running: %lld ms", (long long)t.elapsed(), (long long)worst_gap);
  }

  // The defects of issue "workbench model layer": a cancelled second whole-stack run kept the
  // grid and table but lost what Save Result... writes, and a one-slice run silently replaced a
  // whole-stack result. Now both stay: the table lists each run with its scope, mask and data
  // range, Save writes the stack, and a slice's row takes the view to that slice.
  void cancelledAndOneSliceRunsKeepTheStackResult() {
    MriWorkspace mri;
    mri.resize(1200, 800);
    QVERIFY(open_colin27(mri));
    mri.setMask("random", 8.0);
    mri.setMethodsChecked({"zero-filled"});
    QSignalSpy done(&mri, &MriWorkspace::runFinished), failed(&mri, &MriWorkspace::runFailed);
    mri.run(true);
    QVERIFY(done.wait(120000));
    mri.setMethodsChecked({"slow-test"});
    mri.run(true);
    QTest::qWait(400);
    mri.cancel();
    QVERIFY(failed.wait(5000));
    qs::test::TempDir dir;
    const QString nii = QString::fromStdString(dir.path()) + "/zf.nii.gz";
    QSignalSpy saved(&mri, &MriWorkspace::resultSaved);
    mri.saveResultTo("zero-filled", nii, false);
    QVERIFY2(saved.wait(30000), "the stack result was lost with the cancelled run");
    QCOMPARE(qs::mri::read_volume(nii.toStdString()).data.size(0), 316);

    mri.setMethodsChecked({"zero-filled"});
    mri.sync()->setSlice(158);
    mri.run(false);
    QVERIFY(done.wait(60000));
    const auto* table = mri.metricsTable();
    QCOMPARE(table->rowCount(), 1 + 316 + 1);  // the stack, its slices, and the one-slice run
    int stack_rows = 0, slice_rows = 0;
    for (int r = 0; r < table->rowCount(); ++r) {
      const QString scope = table->item(r, 1)->text();
      stack_rows += scope.contains("stack (316 slices), random 8×") ? 1 : 0;
      slice_rows += scope.contains("axial slice 158, random 8×") ? 1 : 0;
      QVERIFY2(table->item(r, 1)->toolTip().contains("data range"), qPrintable(scope));
    }
    QCOMPARE(stack_rows, 1);
    QCOMPARE(slice_rows, 1);
    const QString again = QString::fromStdString(dir.path()) + "/zf2.nii.gz";
    mri.saveResultTo("zero-filled", again, false);
    QVERIFY(saved.wait(30000));
    QCOMPARE(qs::mri::read_volume(again.toStdString()).data.size(0), 316);  // still the stack

    // Scope sorts slices by number (slice 10 after slice 9), and a slice row shows that slice.
    auto* t = mri.metricsTable();
    t->sortItems(1, Qt::AscendingOrder);
    QVERIFY(t->item(0, 1)->text().contains("stack"));
    QCOMPARE(t->item(1, 1)->text(), QString("slice 0 (stack range)"));
    QCOMPARE(t->item(11, 1)->text(), QString("slice 10 (stack range)"));
    Q_EMIT t->cellClicked(11, 0);
    QCOMPARE(mri.sync()->slice(), 10);
  }

  void aDroppedVolumeOpensAndJoinsTheRecentList() {
    MriWorkspace mri;
    QSignalSpy ready(&mri, &MriWorkspace::volumeReady);
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(kColin27)});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&mri, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&mri, &drop);
    QVERIFY(ready.wait(30000));
    QCOMPARE(ready.first().at(0).toString(), kColin27);
    auto* recent = mri.findChild<qs::workbench::RecentFilesCombo*>();
    QVERIFY(recent);
    QCOMPARE(recent->itemData(0).toString(), kColin27);
  }

  void aBrokenFileIsAnErrorNotACrash() {
    qs::test::TempDir dir;
    const QString bad = QString::fromStdString(dir.write("broken.nii", std::string(200, '\x7f')));
    MriWorkspace mri;
    close_message_boxes_soon();
    mri.openVolume(bad);
    QTest::qWait(1500);
    QVERIFY2(mri.statusText().contains("Failed"), qPrintable(mri.statusText()));
    QVERIFY(!mri.isBusy());
  }
};

QTEST_MAIN(MriWorkspaceTest)
#include "mri_workspace_test.moc"
