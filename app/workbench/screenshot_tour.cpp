#include "app/workbench/screenshot_tour.h"

#include <QScrollArea>
#include <QScrollBar>

#include <QApplication>
#include <QDir>
#include <QEventLoop>
#include <QMessageBox>
#include <QTabWidget>
#include <QTimer>
#include <cstdio>
#include <iterator>

#include "app/workbench/chat_workspace.h"
#include "app/workbench/inspector_workspace.h"
#include "app/workbench/main_window.h"
#include "app/workbench/mri_workspace.h"

namespace qs::workbench {
namespace {

// Runs the event loop until `signal` fires or the timeout passes; false on timeout.
template <typename Sender, typename Signal>
bool wait_for(Sender* sender, Signal signal, int timeout_ms) {
  QEventLoop loop;
  bool fired = false;
  auto c = QObject::connect(sender, signal, &loop, [&] {
    fired = true;
    loop.quit();
  });
  QTimer::singleShot(timeout_ms, &loop, &QEventLoop::quit);
  loop.exec();
  QObject::disconnect(c);
  return fired;
}

void settle(int ms = 300) {
  QEventLoop loop;
  QTimer::singleShot(ms, &loop, &QEventLoop::quit);
  loop.exec();
}

class Tour {
 public:
  // A dialog in an unattended run would wait forever: report its text as a failure and close it.
  Tour(MainWindow& w, const TourOptions& o) : window_(w), dir_(o.out_dir) {
    QObject::connect(&dialogs_, &QTimer::timeout, [this] {
      for (QWidget* top : QApplication::topLevelWidgets())
        if (auto* box = qobject_cast<QMessageBox*>(top); box && box->isVisible()) {
          fail("dialog: " + box->text());
          box->close();
        }
    });
    dialogs_.start(200);
  }

  bool save(QWidget* widget, const QString& name) {
    settle();
    const QString path = dir_.filePath(name);
    const bool ok = widget->grab().save(path);
    std::fprintf(stderr, "%s %s\n", ok ? "saved" : "FAILED", qPrintable(path));
    failures_ += ok ? 0 : 1;
    return ok;
  }
  void fail(const QString& what) {
    std::fprintf(stderr, "tour: %s\n", qPrintable(what));
    ++failures_;
  }
  void show_tab(QWidget* tab) { window_.tabs()->setCurrentWidget(tab); }
  int failures() const { return failures_; }
  MainWindow& window() { return window_; }

 private:
  MainWindow& window_;
  QDir dir_;
  QTimer dialogs_;
  int failures_ = 0;
};

void mri_step(Tour& t, const QString& volume) {
  MriWorkspace* mri = t.window().mri();
  t.show_tab(mri);
  mri->openVolume(volume);
  if (!wait_for(mri, &MriWorkspace::volumeReady, 60000)) return t.fail("MRI volume did not load");
  // A held-out Colin27 slice (150-169 never trained LDPM) at 8x, LDPM beside the classical methods.
  mri->sync()->setSlice(160);
  mri->setMask("random", 8.0);
  mri->setMethodsChecked({"zero-filled", "cs-wavelet", "cs-tv", "ldpm"});
  mri->run(false);
  if (!wait_for(mri, &MriWorkspace::runFinished, 300000)) return t.fail("MRI run did not finish");
  t.save(&t.window(), "mri-workspace.png");
  t.save(mri->comparisonGrid(), "mri-grid.png");
  t.save(mri->maskPanel(), "mri-mask.png");
  // The method list with every registered method's options (the left panel scrolled down).
  if (auto* scroll = mri->findChild<QScrollArea*>()) {
    scroll->verticalScrollBar()->setValue(scroll->verticalScrollBar()->maximum());
    QCoreApplication::processEvents();
    t.save(&t.window(), "mri-methods.png");
    scroll->verticalScrollBar()->setValue(0);
  }
}

// Selects a head and waits until the plots show that layer (an analysis also sends the layer
// the selectors held, which may arrive first).
bool show_layer(InspectorWorkspace* in, int layer) {
  QEventLoop loop;
  bool shown = false;
  auto c = QObject::connect(in, &InspectorWorkspace::layerShown, &loop, [&](int l) {
    if (l != layer) return;
    shown = true;
    loop.quit();
  });
  in->selectHead(layer, 0, 0);
  QTimer::singleShot(30000, &loop, &QEventLoop::quit);
  loop.exec();
  QObject::disconnect(c);
  return shown;
}

void chat_step(Tour& t, const QString& model) {
  ChatWorkspace* chat = t.window().chat();
  t.show_tab(chat);
  chat->openModel(model);
  if (!wait_for(chat, &ChatWorkspace::modelReady, 60000)) return t.fail("chat model did not load");
  chat->setAbMode(true);
  chat->setPreset(0);
  chat->setCacheTypes("f16", "f16", 0);
  chat->setCacheTypes("rotatekv-2", "rotatekv-2", 1);
  chat->setKvOptions("reorder=none", 1);
  chat->setMaxTokens(120);
  chat->setPrompt("Once upon a time");
  bool grabbed = false;
  auto c = QObject::connect(chat, &ChatWorkspace::tokenArrived, chat, [&](int n) {
    if (n == 60 && !grabbed) grabbed = t.save(&t.window(), "chat-streaming.png");
  });
  chat->send();
  if (!wait_for(chat, &ChatWorkspace::generationFinished, 120000)) return t.fail("chat generation did not finish");
  QObject::disconnect(c);
  t.save(&t.window(), "chat-ab.png");
}

void inspector_step(Tour& t, const QString& model) {
  InspectorWorkspace* in = t.window().inspector();
  t.show_tab(in);
  in->openModel(model);
  if (!wait_for(in, &InspectorWorkspace::modelReady, 60000)) return t.fail("inspector model did not load");
  in->setCodec("rotatekv-2", "rotatekv-2", "reorder=none");
  in->setMaxTokens(96);
  in->analyze();
  if (!wait_for(in, &InspectorWorkspace::analysisReady, 60000)) return t.fail("inspector analysis did not finish");
  if (!show_layer(in, 1)) return t.fail("inspector layer did not arrive");
  const char* names[] = {"channels", "k-heatmaps", "v-heatmaps", "quant-error", "attention", "massive-activations"};
  for (int i = 0; i < int(std::size(names)); ++i) {
    in->pages()->setCurrentIndex(i);
    t.save(&t.window(), QString("inspector-%1.png").arg(names[i]));
  }
  // The saliency strip with AKVQ's classes: layer 0 pivot-salient (full precision / 2-bit),
  // layer 1 text-salient (full precision / 4-bit).
  in->setCodec("akvq-2", "akvq-2", "tsa=1,window=16");
  in->analyze();
  if (!wait_for(in, &InspectorWorkspace::analysisReady, 60000)) return t.fail("AKVQ analysis did not finish");
  in->pages()->setCurrentIndex(in->pages()->count() - 1);
  for (int layer : {0, 1}) {
    if (!show_layer(in, layer)) return t.fail("inspector layer did not arrive");
    t.save(&t.window(), QString("inspector-saliency-akvq-layer%1.png").arg(layer));
  }
}

}  // namespace

int run_screenshot_tour(MainWindow& window, const TourOptions& o) {
  QDir().mkpath(o.out_dir);
  window.resize(o.width, o.height);
  Tour t(window, o);
  if (!o.model.isEmpty()) chat_step(t, o.model);
  if (!o.model.isEmpty()) inspector_step(t, o.model);
  if (!o.volume.isEmpty()) mri_step(t, o.volume);
  return t.failures() == 0 ? 0 : 1;
}

}  // namespace qs::workbench
