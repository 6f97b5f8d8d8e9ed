// The KV Inspector end to end under the offscreen platform on stories260K: one prefill through
// rotatekv-2 with the taps, layer 0 opened, every plot holding data of the model's shape, the
// rotation visible (before != after) where the codec rotates and absent where it does not,
// and every plot exported as PNG, PDF and CSV.
#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>
#include <algorithm>

#include "app/workbench/inspector_workspace.h"
#include "tests/support/test_support.h"
#include "views/inspector/channel_profile_view.h"
#include "views/inspector/heatmap_view.h"
#include "views/inspector/saliency_strip.h"
#include "views/plot/plot_panel.h"

using qs::workbench::InspectorWorkspace;

namespace {
bool open_and_analyze(InspectorWorkspace& in, const QString& k, const QString& v, const QString& options) {
  QSignalSpy ready(&in, &InspectorWorkspace::modelReady);
  in.openModel(QString::fromStdString(qs::test::asset("llm/stories260K/stories260K.gguf")));
  if (!ready.wait(30000)) return false;
  in.setCodec(k, v, options);
  in.setMaxTokens(64);
  QSignalSpy analyzed(&in, &InspectorWorkspace::analysisReady), shown(&in, &InspectorWorkspace::layerShown);
  in.analyze();
  if (!analyzed.wait(60000)) return false;
  return shown.count() > 0 || shown.wait(30000);
}
}  // namespace

class InspectorWorkspaceTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void init() { QSettings().clear(); }  // each case starts from the defaults
  void initTestCase() { QCoreApplication::setOrganizationName("QuantiscopeTest"); }

  void layerZeroPlotsHaveTheModelsShape() {
    InspectorWorkspace in;
    in.resize(1300, 850);
    QVERIFY(open_and_analyze(in, "rotatekv-2", "rotatekv-2", "reorder=none"));
    QSignalSpy shown(&in, &InspectorWorkspace::layerShown);
    in.selectHead(0, 1, 2);
    QVERIFY(shown.wait(20000));
    QCOMPARE(shown.last().at(0).toInt(), 0);
    const auto& s = in.summary();
    QCOMPARE(s.n_layers, 5);  // stories260K: 5 layers, 8 heads, 4 KV heads, head_dim 8
    QCOMPARE(s.head_dim, 8);
    const int T = s.tokens.size();
    QVERIFY(T > 32 && T <= 64);
    QVERIFY(s.codec_rotates);
    QCOMPARE(in.channelProfile()->pointCount(0), 8);
    QCOMPARE(in.channelProfile()->pointCount(1), 8);
    QCOMPARE(in.keyBefore()->data().rows, T);
    QCOMPARE(in.keyBefore()->data().cols, 8);
    QCOMPARE(in.keyAfter()->data().rows, T);
    // One locked colour scale on both maps, and the rotation really changed the values.
    QCOMPARE(in.keyBefore()->high(), in.keyAfter()->high());
    QVERIFY(in.keyBefore()->data().values != in.keyAfter()->data().values);
    QCOMPARE(in.saliency()->tokenCount(), T);
    // Massive activations: layers x tokens; overview: layers x query heads.
    QCOMPARE(s.massive.rows, 5);
    QCOMPARE(s.massive.cols, T);
    QCOMPARE(s.sink_share.rows, 5);
    QCOMPARE(s.sink_share.cols, 8);
  }

  void akvqClassesFollowTheLayersPolicy() {
    // 64 tokens, a 16-token recent window and 15 pivots: layer 1 is text-salient (TSA: 4-bit),
    // the others pivot-salient (PSA: 2-bit); the window and the pivots stay in full precision.
    InspectorWorkspace in;
    QVERIFY(open_and_analyze(in, "akvq-2", "akvq-2", "tsa=1,window=16"));
    auto count = [&](int bits) { return int(std::count(in.saliency()->bits().begin(), in.saliency()->bits().end(), bits)); };
    const int T = in.summary().tokens.size();
    for (int layer : {0, 1}) {
      QSignalSpy shown(&in, &InspectorWorkspace::layerShown);
      in.selectHead(layer, 0, 0);
      QVERIFY(shown.wait(20000));
      const int quantized = layer == 1 ? 4 : 2, other = layer == 1 ? 2 : 4;
      qInfo("layer %d: %d full precision, %d at %d bits", layer, count(0), count(quantized), quantized);
      QCOMPARE(count(other), 0);
      QCOMPARE(count(0) + count(quantized), T);
      QVERIFY(count(0) >= 16);  // at least the recent window
      QVERIFY(count(0) <= (layer == 1 ? 16 : 16 + 15));
    }
  }

  void aHuggingFaceFolderOpensToo() {
    InspectorWorkspace in;
    QSignalSpy ready(&in, &InspectorWorkspace::modelReady);
    in.openModel(QString::fromStdString(qs::test::asset("llm/tinystories-656K")));
    QVERIFY(ready.wait(30000));
    in.setCodec("q4_0", "q4_0");
    in.setMaxTokens(48);
    QSignalSpy analyzed(&in, &InspectorWorkspace::analysisReady), shown(&in, &InspectorWorkspace::layerShown);
    in.analyze();
    QVERIFY(analyzed.wait(60000));
    QVERIFY(shown.count() > 0 || shown.wait(30000));
    const auto& s = in.summary();
    qInfo("tinystories-656K: %d layers, %d heads / %d KV heads, head_dim %d, %d tokens", s.n_layers, s.n_heads, s.n_kv_heads, s.head_dim, int(s.tokens.size()));
    QCOMPARE(in.keyBefore()->data().cols, s.head_dim);
    QCOMPARE(in.keyBefore()->data().rows, s.tokens.size());
    QCOMPARE(in.channelProfile()->pointCount(0), s.head_dim);
    QCOMPARE(s.massive.rows, s.n_layers);
  }

  void aPlainCacheShowsNoRotationAndTinyError() {
    InspectorWorkspace in;
    QVERIFY(open_and_analyze(in, "f16", "f16", ""));
    QVERIFY(!in.summary().codec_rotates);
    QCOMPARE(in.keyBefore()->data().values, in.keyAfter()->data().values);
  }

  void everyPlotExportsPngPdfAndCsv() {
    InspectorWorkspace in;
    in.resize(1300, 850);
    in.show();
    QVERIFY(open_and_analyze(in, "kivi-2", "kivi-2", ""));
    qs::test::TempDir dir;
    int i = 0;
    for (auto* plot : in.plots()) {
      for (const char* suffix : {"png", "pdf", "csv"}) {
        const QString path = QString::fromStdString(dir.path()) + QString("/plot%1.%2").arg(i).arg(suffix);
        QString error;
        QVERIFY2(plot->exportTo(path, &error), qPrintable(plot->title() + ": " + error));
        QVERIFY2(QFileInfo(path).size() > 100, qPrintable(path));
      }
      ++i;
    }
    QCOMPARE(i, 11);
    QString error;
    QVERIFY(!in.plots().front()->exportTo(QString::fromStdString(dir.path()) + "/x.bmp", &error));
    QVERIFY(error.contains(".png"));
  }

  // A fresh machine: the first Analyze on stories260K runs with the default codec (no
  // calibration exists), and the status says which codec and why.
  void theDefaultCodecAnalyzesWithoutCalibration() {
    qs::test::TempDir calib;
    qs::test::ScopedEnv no_calibration("QUANTISCOPE_CALIB_DIR", calib.path());
    InspectorWorkspace in;
    QSignalSpy ready(&in, &InspectorWorkspace::modelReady);
    in.openModel(QString::fromStdString(qs::test::asset("llm/stories260K/stories260K.gguf")));
    QVERIFY(ready.wait(30000));
    QVERIFY2(in.statusText().contains("needs no calibration"), qPrintable(in.statusText()));
    in.setMaxTokens(32);
    QSignalSpy analyzed(&in, &InspectorWorkspace::analysisReady);
    QTimer::singleShot(20000, [] {  // a failure dialog would block the wait: close it so the test fails instead
      for (QWidget* w : QApplication::topLevelWidgets())
        if (w->inherits("QMessageBox")) w->close();
    });
    in.analyze();
    QVERIFY2(analyzed.wait(30000), qPrintable(in.statusText()));
    qInfo("%s", qPrintable(in.statusText()));
  }

  // The Inspector calibrates RotateKV itself (on GSM8K, not the analysed text); RotateKV then
  // analyzes without options.
  void calibratingHereMakesRotateKvRun() {
    qs::test::TempDir calib;
    qs::test::ScopedEnv folder("QUANTISCOPE_CALIB_DIR", calib.path());
    InspectorWorkspace in;
    QSignalSpy ready(&in, &InspectorWorkspace::modelReady);
    in.openModel(QString::fromStdString(qs::test::asset("llm/stories260K/stories260K.gguf")));
    QVERIFY(ready.wait(30000));
    QSignalSpy calibrated(&in, &InspectorWorkspace::calibrationFinished);
    in.calibrate(QString::fromStdString(qs::test::asset("eval/gsm8k/test.jsonl")));
    QVERIFY2(calibrated.wait(120000), qPrintable(in.statusText()));
    QVERIFY2(in.statusText().contains("Calibrated"), qPrintable(in.statusText()));
    QVERIFY(!QDir(QString::fromStdString(calib.path())).entryList(QDir::Files).isEmpty());
    in.setCodec("rotatekv-2", "rotatekv-2", "");
    in.setMaxTokens(32);
    QSignalSpy analyzed(&in, &InspectorWorkspace::analysisReady);
    QTimer::singleShot(20000, [] {
      for (QWidget* w : QApplication::topLevelWidgets())
        if (w->inherits("QMessageBox")) w->close();
    });
    in.analyze();
    QVERIFY2(analyzed.wait(30000), qPrintable(in.statusText()));
  }

  void analyzingWithoutAModelSaysWhatToDo() {
    InspectorWorkspace in;
    QTimer::singleShot(300, [] {
      for (QWidget* w : QApplication::topLevelWidgets())
        if (w->inherits("QMessageBox")) w->close();
    });
    in.analyze();  // a message box, no crash
    QVERIFY(!in.isBusy());
  }
};

QTEST_MAIN(InspectorWorkspaceTest)
#include "inspector_workspace_test.moc"
