#include "views/common/save_dialog.h"

#include <QFileDialog>

namespace qs::views {

QString ask_save_path(QWidget* parent, const QString& title, const QString& dir, const QString& filter, const QString& suffix) {
  QFileDialog dialog(parent, title, dir, filter);
  dialog.setAcceptMode(QFileDialog::AcceptSave);  // confirms before replacing a file
  dialog.setDefaultSuffix(suffix);
  return dialog.exec() == QDialog::Accepted ? dialog.selectedFiles().value(0) : QString();
}

}  // namespace qs::views
