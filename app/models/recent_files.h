// Most-recently-used file lists kept in QSettings (models, volumes), newest first.
#pragma once
#include <QString>
#include <QStringList>

namespace qs::workbench {

constexpr int kMaxRecentFiles = 10;

QStringList recent_files(const QString& key);
// Moves (or adds) `path` to the front, trims to kMaxRecentFiles, returns the new list.
QStringList remember_recent_file(const QString& key, const QString& path);

}  // namespace qs::workbench
