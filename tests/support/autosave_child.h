// The kill half of the autosave tests: this test executable runs again as a child
// (QS_AUTOSAVE_CHILD=1), and once `file` holds `marker` the child is killed with SIGKILL
// (QProcess::kill on Unix), so it never exits cleanly; and what both autosave tests share.
// Header-only (Qt; the GUI tests).
#pragma once
#include <QApplication>
#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QString>
#include <QTest>

namespace qs::test {

// "" when the child autosaved `marker` within `timeout_ms` and then died by the signal; else
// what went wrong.
inline QString kill_child_after_autosave(const QString& file, const QByteArray& marker, int timeout_ms) {
  QProcess child;
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert("QS_AUTOSAVE_CHILD", "1");
  child.setProcessEnvironment(env);
  child.setProcessChannelMode(QProcess::ForwardedChannels);
  child.start(QCoreApplication::applicationFilePath(), {});
  if (!child.waitForStarted(10000)) return "the child did not start";
  bool saved = false;
  for (int waited = 0; waited < timeout_ms && !saved; waited += 100) {
    QTest::qWait(100);
    QFile f(file);
    saved = f.open(QIODevice::ReadOnly) && f.readAll().contains(marker);
  }
  child.kill();
  if (!child.waitForFinished(10000)) return "the child did not die";
  if (!saved) return "the child never autosaved '" + QString::fromUtf8(marker) + "'";
  if (child.exitStatus() != QProcess::CrashExit) return "the child exited instead of being killed";
  return "";
}

// A workspace finding `garbage` in its autosave file sets the file aside as
// "<file>.unreadable" and restores nothing; the set-aside file is removed afterwards.
template <class Workspace>
void expect_an_unreadable_autosave_set_aside(Workspace& workspace, const QByteArray& garbage) {
  const QString autosave = workspace.autosavePath();
  QFile f(autosave);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write(garbage);
  f.close();
  workspace.restoreAutosave();
  QVERIFY(!QFileInfo::exists(autosave));
  QVERIFY(QFileInfo::exists(autosave + ".unreadable"));
  QFile::remove(autosave + ".unreadable");
}

// main() of an autosave test: the child mode (QS_AUTOSAVE_CHILD set) runs `child`, else the
// Qt Test object `Tests` runs.
template <class Tests>
int autosave_test_main(int argc, char** argv, int (*child)()) {
  QApplication app(argc, argv);
  if (qEnvironmentVariableIsSet("QS_AUTOSAVE_CHILD")) {
    QCoreApplication::setOrganizationName("QuantiscopeTest");
    return child();
  }
  Tests t;
  return QTest::qExec(&t, argc, argv);
}

}  // namespace qs::test
