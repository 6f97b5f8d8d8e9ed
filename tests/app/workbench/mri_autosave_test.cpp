// An MRI study survives the process being killed: a child process (this executable again, in
// child mode) opens the EPI volume, sets a mask, a method, an option and a slice, and keeps
// running; the test kills it with SIGKILL once the autosave holds that study, then a fresh MRI
// workspace restores it (volume reopened, plane and slice back). Also: a clean discard leaves
// nothing to restore, and an unreadable autosave is set aside, never deleted.
#include <QApplication>
#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTest>

#include "app/workbench/mri_workspace.h"
#include "tests/support/autosave_child.h"
#include "tests/support/test_support.h"

using qs::workbench::MriStudy;
using qs::workbench::MriWorkspace;

namespace {

MriStudy wanted() {
  MriStudy s;
  s.volume_path = QString::fromStdString(qs::test::asset("mri/nibabel/example4d.nii.gz"));
  s.plane = 0, s.slice = 9;
  s.mask_type = "equispaced", s.acceleration = 8, s.center_fraction = 0.1, s.seed = 3;
  s.methods = {"zero-filled"};
  s.options["cs-tv"]["lambda"] = "0.003";
  return s;
}

// Child mode: set the study up, then wait to be killed (never exits cleanly).
int run_child() {
  MriWorkspace mri;
  QSignalSpy ready(&mri, &MriWorkspace::volumeReady);
  mri.applyStudy(wanted());
  if (!ready.wait(60000)) return 3;
  QTest::qWait(120000);
  return 5;
}

}  // namespace

class MriAutosaveTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { QCoreApplication::setOrganizationName("QuantiscopeTest"); }

  void aKilledStudyComesBackAtTheNextStart() {
    MriWorkspace probe;
    const QString autosave = probe.autosavePath();
    QFile::remove(autosave);
    const QString failure = qs::test::kill_child_after_autosave(autosave, "equispaced", 90000);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));

    MriWorkspace again;
    QSignalSpy restored(&again, &MriWorkspace::autosaveRestored);
    QSignalSpy ready(&again, &MriWorkspace::volumeReady);
    again.restoreAutosave();
    QCOMPARE(restored.count(), 1);
    QVERIFY(ready.wait(60000));
    const MriStudy back = again.study();
    QCOMPARE(back.volume_path, wanted().volume_path);
    QCOMPARE(back.slice, wanted().slice);
    QCOMPARE(back.mask_type, QString("equispaced"));
    QCOMPARE(back.acceleration, 8.0);
    QCOMPARE(back.seed, 3);
    QCOMPARE(back.methods, wanted().methods);
    QCOMPARE(back.options.at("cs-tv").at("lambda"), QString("0.003"));
    again.discardAutosave();
    QVERIFY(!QFileInfo::exists(autosave));
  }

  void anUnreadableAutosaveIsSetAsideNotDeleted() {
    MriWorkspace mri;
    qs::test::expect_an_unreadable_autosave_set_aside(mri, "{ not a study");
  }
};

int main(int argc, char** argv) { return qs::test::autosave_test_main<MriAutosaveTest>(argc, argv, run_child); }

#include "mri_autosave_test.moc"
