// MRI study JSON: what is saved comes back, and anything else is refused naming the problem.
#include <QTest>

#include "app/models/mri_study.h"

using qs::workbench::MriStudy;

class MriStudyTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void roundTrips() {
    MriStudy s;
    s.volume_path = "/data/brain ✓.nii.gz";
    s.plane = 2, s.slice = 17;
    s.mask_type = "equispaced", s.acceleration = 8, s.center_fraction = 0.04, s.seed = 7;
    s.methods = {"cs-tv", "zero-filled"};
    s.options["cs-tv"]["lambda"] = "0.002";
    MriStudy back;
    QString error;
    QVERIFY2(qs::workbench::mri_study_from_json(qs::workbench::mri_study_to_json(s), &back, &error), qPrintable(error));
    QVERIFY(back == s);
  }

  void refusesWhatIsNotAStudy() {
    MriStudy out;
    QString error;
    QVERIFY(!qs::workbench::mri_study_from_json("{ nope", &out, &error));
    QVERIFY(error.contains("not valid JSON"));
    QVERIFY(!qs::workbench::mri_study_from_json(R"({"format": "quantiscope-conversation", "version": 1})", &out, &error));
    QVERIFY(error.contains("not a Quantiscope MRI study"));
    MriStudy s;
    s.volume_path = "v.nii";
    QByteArray json = qs::workbench::mri_study_to_json(s);
    json.replace("\"acceleration\": 4", "\"acceleration\": 0.5");
    QVERIFY(!qs::workbench::mri_study_from_json(json, &out, &error));
    QVERIFY(error.contains("out of range"));
  }
};

QTEST_GUILESS_MAIN(MriStudyTest)
#include "mri_study_test.moc"
