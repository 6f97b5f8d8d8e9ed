#include "app/models/recent_files.h"

#include <QSettings>

namespace qs::workbench {

QStringList recent_files(const QString& key) { return QSettings().value(key).toStringList(); }

QStringList remember_recent_file(const QString& key, const QString& path) {
  QStringList recent = recent_files(key);
  recent.removeAll(path);
  recent.prepend(path);
  while (recent.size() > kMaxRecentFiles) recent.removeLast();
  QSettings().setValue(key, recent);
  return recent;
}

}  // namespace qs::workbench
