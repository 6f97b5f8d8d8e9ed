#include "app/workbench/main_window.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDockWidget>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QMessageBox>
#include <QSettings>
#include <QTabWidget>

#include "app/workbench/chat_workspace.h"
#include "views/common/save_dialog.h"
#include "views/common/wheel_guard.h"
#include "core/common/log.h"
#include "core/common/torch_compat.h"
#include "app/workbench/inspector_workspace.h"
#include "app/workbench/mri_workspace.h"

namespace qs::workbench {

MainWindow::MainWindow() {
  setWindowTitle(tr("Quantiscope workbench"));
  tabs_ = new QTabWidget;
  chat_ = new ChatWorkspace;
  tabs_->addTab(chat_, tr("Chat"));
  inspector_ = new InspectorWorkspace;
  tabs_->addTab(inspector_, tr("KV Inspector"));
  mri_ = new MriWorkspace;
  tabs_->addTab(mri_, tr("MRI"));
  setCentralWidget(tabs_);
  views::WheelGuard::install(this);  // the wheel scrolls panels; values change only with focus

  log_ = new QPlainTextEdit;
  log_->setReadOnly(true);
  log_->setMaximumBlockCount(5000);
  auto* dock = new QDockWidget(tr("Log"));
  dock->setObjectName("logDock");
  dock->setWidget(log_);
  addDockWidget(Qt::BottomDockWidgetArea, dock);
  resizeDocks({dock}, {110}, Qt::Vertical);
  connect(chat_, &ChatWorkspace::logMessage, this, &MainWindow::appendLog);
  connect(inspector_, &InspectorWorkspace::logMessage, this, &MainWindow::appendLog);
  connect(mri_, &MriWorkspace::logMessage, this, &MainWindow::appendLog);

  // Engine messages (core's log sink) arrive from worker threads: queue them to the pane.
  set_log_sink([this](LogLevel level, const std::string& message) {
    const QString text = QString::fromStdString(message);
    const QString prefix = level == LogLevel::kWarn ? "warning: " : level == LogLevel::kError ? "error: " : "";
    QMetaObject::invokeMethod(this, [this, line = prefix + text] { appendLog(line); }, Qt::QueuedConnection);
  });

  auto* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("&Quit"), QKeySequence(Qt::CTRL | Qt::Key_Q), this, &QWidget::close);  // QKeySequence::Quit is empty on some platforms
  auto* view = menuBar()->addMenu(tr("&View"));
  // Workspaces by number and in turn, from any widget of the window (the prompt included).
  for (int i = 0; i < tabs_->count(); ++i)
    view->addAction(tabs_->tabText(i), QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)), this, [this, i] { tabs_->setCurrentIndex(i); });
  view->addAction(tr("Next workspace"), QKeySequence(Qt::CTRL | Qt::Key_Tab), this, [this] { tabs_->setCurrentIndex((tabs_->currentIndex() + 1) % tabs_->count()); });
  view->addAction(tr("Previous workspace"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Tab), this,
                  [this] { tabs_->setCurrentIndex((tabs_->currentIndex() + tabs_->count() - 1) % tabs_->count()); });
  view->addSeparator();
  dock->toggleViewAction()->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
  view->addAction(dock->toggleViewAction());
  auto* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&Keyboard shortcuts"), QKeySequence::HelpContents, this, [this] {
    QString rows;
    for (const QString& line : shortcutsText().split('\n', Qt::SkipEmptyParts)) {
      const QStringList cells = line.split('\t');
      rows += "<tr><td><b>" + cells.value(0).toHtmlEscaped() + "</b></td><td>&nbsp;&nbsp;" + cells.value(1).toHtmlEscaped() + "</td></tr>";
    }
    QMessageBox::information(this, tr("Keyboard shortcuts"), "<table>" + rows + "</table>");
  });
  help->addAction(tr("&About Quantiscope"), this, [this] {
    QMessageBox::about(this, tr("About Quantiscope"),
                       tr("<b>Quantiscope %1</b><p>A workbench for compressed generative models: chat with quantized KV caches, "
                          "inspect the cache, compare MRI reconstructions.</p><p>Qt %2 · LibTorch %3</p>")
                           .arg(QApplication::applicationVersion(), qVersion(), QString::fromUtf8(compat::torch_version())));
  });

  QSettings settings;
  if (!restoreGeometry(settings.value("window/geometry").toByteArray())) resize(1200, 800);
  restoreState(settings.value("window/state").toByteArray());
  tabs_->setCurrentIndex(settings.value("window/tab", 0).toInt());
}

QString MainWindow::shortcutsText() const {
  QString text;
  for (QAction* menu : menuBar()->actions()) {
    if (!menu->menu()) continue;
    for (QAction* a : menu->menu()->actions())
      if (!a->shortcut().isEmpty()) text += a->shortcut().toString(QKeySequence::NativeText) + "\t" + a->text().remove('&') + "\n";
  }
  // Shortcuts that belong to one workspace's widgets.
  text += ChatWorkspace::sendShortcut().toString(QKeySequence::NativeText) + "\t" + tr("Send the prompt (Chat)") + "\n";
  text += QKeySequence(Qt::Key_Escape).toString(QKeySequence::NativeText) + "\t" + tr("Stop the reply (Chat)") + "\n";
  return text;
}

void MainWindow::appendLog(const QString& line) {
  log_->appendPlainText(QDateTime::currentDateTime().toString("hh:mm:ss ") + line);
}

MainWindow::~MainWindow() { set_log_sink({}); }

void MainWindow::closeEvent(QCloseEvent* event) {
  if (prompt_on_unsaved_ && chat_->hasUnsavedWork()) {
    const auto answer = QMessageBox::question(this, tr("Unsaved conversation"), tr("The conversation has not been saved. Save it before quitting?"),
                                              QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Cancel) return event->ignore();
    if (answer == QMessageBox::Save) {
      const QString path = views::ask_save_path(this, tr("Save the conversation"), QSettings().value("chat/lastDir").toString(), tr("Conversation (*.json)"), "json");
      QString error;
      if (path.isEmpty() || !chat_->saveConversation(path, &error)) {
        if (!error.isEmpty()) QMessageBox::warning(this, tr("Save"), error);
        return event->ignore();  // nothing saved: stay open
      }
    }
  }
  chat_->discardAutosave();  // a clean exit: nothing to restore next time
  mri_->discardAutosave();
  QSettings settings;
  settings.setValue("window/geometry", saveGeometry());
  settings.setValue("window/state", saveState());
  settings.setValue("window/tab", tabs_->currentIndex());
  QMainWindow::closeEvent(event);
}

}  // namespace qs::workbench
