// SliceSync: the one owner of slice, zoom, pan and window/level for synchronized views.
#include <QSignalSpy>
#include <QTest>

#include "app/models/slice_sync.h"

using qs::workbench::Plane;
using qs::workbench::SliceSync;

class SliceSyncTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void slicesAreKeptPerPlaneAndClamped() {
    SliceSync s;
    s.setExtent(181, 217, 181);
    QCOMPARE(s.slice(), 90);
    s.setSlice(500);
    QCOMPARE(s.slice(), 180);
    s.setPlane(Plane::kCoronal);
    QCOMPARE(s.slice(), 108);
    s.stepSlice(-200);
    QCOMPARE(s.slice(), 0);
    s.setPlane(Plane::kAxial);
    QCOMPARE(s.slice(), 180);  // the axial position was remembered
  }

  void changesAreAnnouncedOnceAndOnlyWhenReal() {
    SliceSync s;
    s.setExtent(10, 10, 10);
    QSignalSpy slice(&s, &SliceSync::sliceChanged), view(&s, &SliceSync::viewChanged);
    s.setSlice(5);  // already 5
    QCOMPARE(slice.count(), 0);
    s.setSlice(6);
    QCOMPARE(slice.count(), 1);
    s.zoomBy(2);
    s.panBy({3, 4});
    s.setWindowLevel(100, 50);
    QCOMPARE(view.count(), 3);
    QCOMPARE(s.low(), 0.0);
    QCOMPARE(s.high(), 100.0);
    s.setZoom(1000);
    QCOMPARE(s.zoom(), 32.0);
    s.setWindowLevel(-5, 0);  // a window never collapses to zero or below
    QVERIFY(s.window() > 0);
  }
};

QTEST_MAIN(SliceSyncTest)
#include "slice_sync_test.moc"
