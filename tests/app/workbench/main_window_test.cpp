// The whole window: three workspaces, a log pane, and a layout (geometry, docks, tab) that
// persists between runs through QSettings.
#include <QAbstractSpinBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QDockWidget>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QWheelEvent>
#include <cstdlib>
#include <QSettings>
#include <QTabWidget>
#include <QTest>

#include "app/workbench/main_window.h"
#include "app/workbench/mri_workspace.h"

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
      for (int i = 0; i < 3; ++i) qInfo("minimum size of %s: %d x %d", qPrintable(w.tabs()->tabText(i)), w.tabs()->widget(i)->minimumSizeHint().width(), w.tabs()->widget(i)->minimumSizeHint().height());
      qInfo("window minimum: %d x %d", w.minimumSizeHint().width(), w.minimumSizeHint().height());
      // Small windows, as ITK-SNAP keeps them: the workbench fits a 1024 x 640 screen area.
      QVERIFY(w.minimumSizeHint().width() <= 1024 && w.minimumSizeHint().height() <= 640);
      QCOMPARE(w.tabs()->tabText(1), QString("KV Inspector"));
      w.show();
      w.resize(1311, 977);
      w.tabs()->setCurrentIndex(2);
      w.findChild<QDockWidget*>("logDock")->hide();
      w.close();
    }
    MainWindow again;
    again.show();
    QCOMPARE(again.tabs()->currentIndex(), 2);
    // The offscreen platform adds the menu bar to the restored height; the width is exact.
    QCOMPARE(again.width(), 1311);
    QVERIFY2(std::abs(again.height() - 977) < 60, qPrintable(QString::number(again.height())));
    QVERIFY(!again.findChild<QDockWidget*>("logDock")->isVisible());
  }

  // The wheel over a side panel scrolls it; a spin box or combo box under the pointer changes
  // only once it has the focus (the issue: acceleration 8x became 5x, a cache type jumped).
  void theWheelChangesValuesOnlyWithFocus() {
    MainWindow w;
    w.show();
    w.tabs()->setCurrentWidget(w.mri());
    w.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&w));
    auto wheel = [](QWidget* target) {
      QWheelEvent e(QPointF(5, 5), target->mapToGlobal(QPointF(5, 5)), QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
      QCoreApplication::sendEvent(target, &e);
    };
    QDoubleSpinBox* spin = nullptr;  // the acceleration: enabled, room to step up
    for (auto* s : w.mri()->findChildren<QDoubleSpinBox*>())
      if (s->isEnabled() && s->value() < s->maximum() && s->value() > 1) spin = s;
    QComboBox* combo = nullptr;
    for (auto* c : w.mri()->findChildren<QComboBox*>())
      if (c->isEnabled() && c->count() > 1) combo = c;
    QVERIFY(spin && combo);
    w.tabs()->setFocus();
    const QString spin_before = spin->text();
    const int combo_before = combo->currentIndex();
    wheel(spin), wheel(combo);
    QCOMPARE(spin->text(), spin_before);
    QCOMPARE(combo->currentIndex(), combo_before);
    spin->setFocus();
    QVERIFY(spin->hasFocus());
    wheel(spin);
    QVERIFY2(spin->text() != spin_before, qPrintable(spin->text()));  // focused: the wheel steps it
  }

  // Help holds the shortcuts (F1) and About; workspaces switch by Ctrl+1..3 and Ctrl+Tab from
  // anywhere in the window, the prompt included (the issue: F1 did nothing, Tab stayed in the prompt).
  void helpMenuAndWorkspaceShortcuts() {
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QStringList menus;
    for (QAction* a : w.menuBar()->actions()) menus << a->text().remove('&');
    QCOMPARE(menus, QStringList({"File", "View", "Help"}));
    const QString text = w.shortcutsText();
    for (const char* want : {"F1", "Keyboard shortcuts", "Ctrl+Q", "Quit", "Ctrl+2", "KV Inspector", "Ctrl+Tab", "Next workspace", "Send the prompt"})
      QVERIFY2(text.contains(want), qPrintable(QString("missing '%1' in:\n%2").arg(want, text)));
    w.tabs()->setCurrentIndex(0);
    auto* prompt = w.tabs()->widget(0)->findChild<QPlainTextEdit*>("prompt");
    QVERIFY(prompt);
    QVERIFY(prompt->tabChangesFocus());
    prompt->setFocus();
    QTest::keyClick(prompt, Qt::Key_3, Qt::ControlModifier);
    QCOMPARE(w.tabs()->currentIndex(), 2);
    QTest::keyClick(w.tabs()->currentWidget(), Qt::Key_Tab, Qt::ControlModifier);
    QCOMPARE(w.tabs()->currentIndex(), 0);
    QTest::keyClick(w.tabs()->currentWidget(), Qt::Key_Tab, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(w.tabs()->currentIndex(), 2);
  }
};

QTEST_MAIN(MainWindowTest)
#include "main_window_test.moc"
