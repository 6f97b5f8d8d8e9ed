#include "views/chat/context_bar.h"

namespace qs::views {

QString format_bytes(long long bytes) {
  if (bytes < 1024) return QString("%1 B").arg(bytes);
  if (bytes < 1024 * 1024) return QString("%1 KiB").arg(double(bytes) / 1024, 0, 'f', 1);
  if (bytes < 1024LL * 1024 * 1024) return QString("%1 MiB").arg(double(bytes) / (1024 * 1024), 0, 'f', 1);
  return QString("%1 GiB").arg(double(bytes) / (1024.0 * 1024 * 1024), 0, 'f', 2);
}

ContextBar::ContextBar(QWidget* parent) : QProgressBar(parent) {
  setTextVisible(true);
  setUsage(0, 0, 0);
}

void ContextBar::setUsage(long long used, long long max_tokens, long long kv_bytes) {
  setRange(0, int(std::max(1LL, max_tokens)));
  setValue(int(std::min(used, std::max(1LL, max_tokens))));
  // A reopened chat knows its length but has no cache yet (the next reply builds it).
  const QString kv = kv_bytes > 0 || used == 0 ? tr("KV %1").arg(format_bytes(kv_bytes)) : tr("KV not built yet");
  setFormat(max_tokens > 0 ? tr("%1 / %2 tokens · %3").arg(used).arg(max_tokens).arg(kv) : tr("no model"));
}

}  // namespace qs::views
