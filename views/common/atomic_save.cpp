#include "views/common/atomic_save.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>

#include <unistd.h>

#include <cstdio>

namespace qs::views {

bool save_atomically(const QString& path, const std::function<bool(const QString& temporary)>& write) {
  const QFileInfo target(path);
  const QString suffix = target.suffix().isEmpty() ? QString() : "." + target.suffix();
  const QString temporary = target.absolutePath() + "/." + target.completeBaseName() + ".part-" + QString::number(QCoreApplication::applicationPid()) + suffix;
  QFile::remove(temporary);
  bool ok = write(temporary) && QFileInfo(temporary).isFile();
  if (ok) {
    // Flush what the writer left to the disk before the rename makes it the user's file.
    QFile f(temporary);
    ok = f.open(QIODevice::ReadWrite) && f.flush() && ::fsync(f.handle()) == 0;
  }
  ok = ok && std::rename(QFile::encodeName(temporary).constData(), QFile::encodeName(path).constData()) == 0;
  if (!ok) QFile::remove(temporary);
  return ok;
}

}  // namespace qs::views
