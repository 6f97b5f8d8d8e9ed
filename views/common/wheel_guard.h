// The mouse wheel scrolls the panel it is over, and changes a combo box, spin box or slider only
// when that control has the keyboard focus (clicked or tabbed to). Without this, scrolling a side
// panel turned whatever value passed under the pointer (a cache type, an acceleration).
#pragma once
#include <QObject>

namespace qs::views {

class WheelGuard : public QObject {
 public:
  using QObject::QObject;
  // Installs one guard for the whole application (idempotent per parent).
  static void install(QObject* parent);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;
};

}  // namespace qs::views
