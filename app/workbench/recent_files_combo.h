// A combo box of recently opened files (newest first) kept under one QSettings key. It reads
// the list again each time it opens, so workspaces that share a key see each other's files.
// Defaults (e.g. the shipped models) follow the recent files under a separator.
#pragma once
#include <QComboBox>

#include "app/models/default_models.h"

namespace qs::workbench {

class RecentFilesCombo : public QComboBox {
  Q_OBJECT
 public:
  RecentFilesCombo(const QString& settings_key, const QString& placeholder, int min_chars, QWidget* parent = nullptr);
  void remember(const QString& path);
  void setDefaults(const QList<LabelledPath>& defaults);
  void refresh();
  void showPopup() override;

 Q_SIGNALS:
  void chosen(const QString& path);

 private:
  QString key_;
  QList<LabelledPath> defaults_;
};

}  // namespace qs::workbench
