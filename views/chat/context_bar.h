// "used / max tokens · KV bytes": how full the context is and what the cache costs.
#pragma once
#include <QProgressBar>

namespace qs::views {

class ContextBar : public QProgressBar {
  Q_OBJECT
 public:
  explicit ContextBar(QWidget* parent = nullptr);
  void setUsage(long long used_tokens, long long max_tokens, long long kv_bytes);
};

QString format_bytes(long long bytes);

}  // namespace qs::views
