// The workbench window: one tab per workspace, a log pane for engine messages, and a layout
// that persists between runs.
#pragma once
#include <QMainWindow>

class QPlainTextEdit;
class QTabWidget;

namespace qs::workbench {

class ChatWorkspace;
class InspectorWorkspace;
class MriWorkspace;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  MainWindow();
  ~MainWindow() override;
  ChatWorkspace* chat() const { return chat_; }
  MriWorkspace* mri() const { return mri_; }
  InspectorWorkspace* inspector() const { return inspector_; }
  QTabWidget* tabs() const { return tabs_; }
  // Closing with an unsaved conversation asks Save / Discard / Cancel (off for the screenshot tour).
  void setPromptOnUnsavedWork(bool on) { prompt_on_unsaved_ = on; }
  // Every shortcut of the menus and the workspaces, one "keys<TAB>what" line each (Help, F1).
  QString shortcutsText() const;

 public Q_SLOTS:
  void appendLog(const QString& line);

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  QTabWidget* tabs_ = nullptr;
  ChatWorkspace* chat_ = nullptr;
  MriWorkspace* mri_ = nullptr;
  InspectorWorkspace* inspector_ = nullptr;
  QPlainTextEdit* log_ = nullptr;
  bool prompt_on_unsaved_ = true;
};

}  // namespace qs::workbench
