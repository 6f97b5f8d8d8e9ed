// The whole window: three workspaces, a log pane, and a layout (geometry, docks, tab) that
// persists between runs through QSettings.
#include <QDockWidget>
#include <cstdlib>
#include <QSettings>
#include <QTabWidget>
#include <QTest>

#include "app/workbench/main_window.h"

using qs::workbench::MainWindow;

class MainWindowTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    QCoreApplication::setOrganizationName("QuantiscopeTest");
    QSettings().clear();
  }

  void layoutAndTabPersist() {
    {
      MainWindow w;
      QCOMPARE(w.tabs()->count(), 3);
      QCOMPARE(w.tabs()->tabText(1), QString("KV Inspector"));
      w.show();
      w.resize(1111, 777);
      w.tabs()->setCurrentIndex(2);
      w.findChild<QDockWidget*>("logDock")->hide();
      w.close();
    }
    MainWindow again;
    again.show();
    QCOMPARE(again.tabs()->currentIndex(), 2);
    // The offscreen platform adds the menu bar to the restored height; the width is exact.
    QCOMPARE(again.width(), 1111);
    QVERIFY2(std::abs(again.height() - 777) < 60, qPrintable(QString::number(again.height())));
    QVERIFY(!again.findChild<QDockWidget*>("logDock")->isVisible());
  }
};

QTEST_MAIN(MainWindowTest)
#include "main_window_test.moc"
