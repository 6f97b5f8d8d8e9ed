// quantiscope-workbench: the GUI. With no model given it opens the first default model (the
// shipped reference LLM, else a test model of QUANTISCOPE_DATA) in chat and inspector, Colin27 from mricron-data (MRI) when present; a
// file argument (model, volume, conversation) goes to the workspace that reads it.
// --tour DIR drives every workspace and saves the docs screenshots (tools/screenshots.sh).
#include <cstdio>

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTimer>
#include <QIcon>
#include <QMessageBox>

#include "app/workbench/chat_workspace.h"
#include "app/workbench/inspector_workspace.h"
#include "app/workbench/mri_workspace.h"
#include "app/workbench/main_window.h"
#include "app/workbench/screenshot_tour.h"
#include "core/common/allocator_tuning.h"
#include "app/models/default_models.h"

int main(int argc, char** argv) {
  qs::reexec_with_tensor_friendly_malloc(argv);
  QApplication app(argc, argv);
  QApplication::setOrganizationName("Quantiscope");
  QApplication::setApplicationName("quantiscope-workbench");
  QApplication::setApplicationVersion("0.1.0");
  QApplication::setWindowIcon(QIcon(":/icons/quantiscope.png"));
  QGuiApplication::setDesktopFileName("io.github.quantiscope.Quantiscope");
  QCommandLineParser cli;
  cli.setApplicationDescription("Quantiscope workbench: quantized KV caches, KV inspection and MRI reconstruction");
  cli.addHelpOption();
  cli.addVersionOption();
  QCommandLineOption model({"m", "model"}, "Model to open (GGUF, llama2.c .bin, Hugging Face folder).", "path");
  QCommandLineOption tokenizer("tokenizer", "Tokenizer for llama2.c checkpoints.", "path");
  QCommandLineOption tab("tab", "Tab to show first (Chat, KV Inspector, MRI).", "name");
  QCommandLineOption ctk("ctk", "KV cache type for keys (as quantiscope -ctk).", "type");
  QCommandLineOption ctv("ctv", "KV cache type for values (default: the -ctk type).", "type");
  QCommandLineOption tour("tour", "Drive every workspace on the real assets, save the docs screenshots into DIR, quit.", "dir");
  QCommandLineOption volume("volume", "MRI volume to open (default: Colin27 from mricron-data when installed).", "path", "/usr/share/mricron/templates/ch2better.nii.gz");
  QCommandLineOption tour_size("tour-size", "Window size of the tour's screenshots (default 1500x950).", "WxH", "1500x950");
  cli.addOptions({model, tokenizer, tab, ctk, ctv, tour, tour_size, volume});
  cli.addPositionalArgument("file", "A model (GGUF, llama2.c .bin, Hugging Face folder), an MRI volume or a saved conversation (.json).", "[file]");
  cli.process(app);
  // The tour's demo chat must not replace a user's autosaved conversation: it writes elsewhere.
  if (cli.isSet(tour)) QStandardPaths::setTestModeEnabled(true);

  qs::workbench::MainWindow window;
  window.show();
  QString path = cli.value(model);
  if (path.isEmpty()) {
    path = qs::workbench::first_default_model();  // the shipped reference LLM on a clean checkout
  }
  if (cli.isSet(tour)) {
    window.setPromptOnUnsavedWork(false);  // demo conversations, quit without asking
    qs::workbench::TourOptions o;
    o.out_dir = cli.value(tour);
    o.model = path;
    o.volume = cli.value(volume);
    const QStringList wh = cli.value(tour_size).split('x');
    const int w = wh.size() == 2 ? wh[0].toInt() : 0, h = wh.size() == 2 ? wh[1].toInt() : 0;
    if (w < 640 || h < 480 || w > 8192 || h > 8192) {
      std::fprintf(stderr, "error: --tour-size expects WxH of at least 640x480, got '%s'\n", qPrintable(cli.value(tour_size)));
      return 2;
    }
    o.width = w, o.height = h;
    const int rc = qs::workbench::run_screenshot_tour(window, o);
    window.chat()->discardAutosave();
    window.mri()->discardAutosave();
    return rc;
  }
  auto* chat = window.chat();
  if (cli.isSet(ctk)) chat->setCacheTypes(cli.value(ctk), cli.isSet(ctv) ? cli.value(ctv) : cli.value(ctk));
  for (int i = 0; cli.isSet(tab) && i < window.tabs()->count(); ++i)
    if (window.tabs()->tabText(i).compare(cli.value(tab), Qt::CaseInsensitive) == 0) window.tabs()->setCurrentIndex(i);
  // A file from the command line or the desktop entry goes to the workspace that reads it.
  QString volume_path = QFileInfo::exists(cli.value(volume)) ? cli.value(volume) : QString();
  QString conversation;
  if (!cli.positionalArguments().isEmpty()) {
    const QString file = cli.positionalArguments().first();
    const QString suffix = QFileInfo(file).suffix().toLower();
    if (QFileInfo(file).isDir() || suffix == "gguf" || suffix == "bin" || suffix == "safetensors") {
      path = file;
    } else if (suffix == "json") {
      conversation = file;
    } else {
      volume_path = file;
      window.tabs()->setCurrentWidget(window.mri());
    }
  }
  if (!path.isEmpty()) {
    chat->openModel(path, cli.value(tokenizer));
    window.inspector()->openModel(path);
  }
  chat->restoreAutosave();  // the conversation of a run that crashed or was killed (waits for the model)
  if (!conversation.isEmpty()) {
    // Shown once the model is there, or at once when none loads: a file argument is never dropped.
    auto load = [chat, conversation] {
      QString error;
      if (!chat->loadConversation(conversation, &error)) QMessageBox::warning(chat, QObject::tr("Load"), error);
    };
    if (path.isEmpty()) {
      QTimer::singleShot(0, chat, load);
    } else {
      auto* once = new QObject(chat);
      QObject::connect(chat, &qs::workbench::ChatWorkspace::modelReady, once, [once, load] { load(), once->deleteLater(); });
      QObject::connect(chat, &qs::workbench::ChatWorkspace::modelFailed, once, [once, load] { load(), once->deleteLater(); });
    }
  }
  // The MRI study of a run that crashed or was killed; a volume named on the command line wins.
  if (volume_path.isEmpty()) window.mri()->restoreAutosave();
  else window.mri()->openVolume(volume_path);
  return app.exec();
}
