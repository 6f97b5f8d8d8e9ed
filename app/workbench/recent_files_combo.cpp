#include "app/workbench/recent_files_combo.h"

#include <QFileInfo>

#include "app/models/recent_files.h"

namespace qs::workbench {

RecentFilesCombo::RecentFilesCombo(const QString& settings_key, const QString& placeholder, int min_chars, QWidget* parent)
    : QComboBox(parent), key_(settings_key) {
  setPlaceholderText(placeholder);
  setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  setMinimumContentsLength(min_chars);
  connect(this, qOverload<int>(&QComboBox::activated), this, [this](int i) { Q_EMIT chosen(itemData(i).toString()); });
  refresh();
}

void RecentFilesCombo::remember(const QString& path) {
  remember_recent_file(key_, path);
  refresh();
}

void RecentFilesCombo::setDefaults(const QList<LabelledPath>& defaults) {
  defaults_ = defaults;
  refresh();
}

void RecentFilesCombo::refresh() {
  clear();
  const QStringList recent = recent_files(key_);
  for (const QString& p : recent) {
    addItem(QFileInfo(p).fileName(), p);
    setItemData(count() - 1, p, Qt::ToolTipRole);
  }
  if (!recent.isEmpty() && !defaults_.isEmpty()) insertSeparator(count());
  for (const LabelledPath& e : defaults_) {
    addItem(e.label, e.path);
    setItemData(count() - 1, e.path, Qt::ToolTipRole);
  }
  setCurrentIndex(-1);
}

void RecentFilesCombo::showPopup() {
  refresh();
  QComboBox::showPopup();
}

}  // namespace qs::workbench
