#include "views/common/wheel_guard.h"

#include <QAbstractScrollArea>
#include <QAbstractSlider>
#include <QAbstractSpinBox>
#include <QApplication>
#include <QComboBox>
#include <QScrollBar>
#include <QWheelEvent>

namespace qs::views {

void WheelGuard::install(QObject* parent) {
  if (parent->property("qs_wheel_guard").toBool()) return;
  parent->setProperty("qs_wheel_guard", true);
  qApp->installEventFilter(new WheelGuard(parent));  // removed again when the parent goes
}

bool WheelGuard::eventFilter(QObject* watched, QEvent* event) {
  if (event->type() != QEvent::Wheel) return false;
  auto* w = qobject_cast<QWidget*>(watched);
  if (!w || w->hasFocus() || qobject_cast<QScrollBar*>(w)) return false;
  const bool value_widget = qobject_cast<QComboBox*>(w) || qobject_cast<QAbstractSpinBox*>(w) || qobject_cast<QAbstractSlider*>(w);
  if (!value_widget) return false;
  if (w->focusPolicy() == Qt::WheelFocus) w->setFocusPolicy(Qt::StrongFocus);  // the wheel never gives them focus
  // Hand the wheel to the scroll area the control sits in, as if the control were not there.
  for (QWidget* p = w->parentWidget(); p; p = p->parentWidget())
    if (auto* area = qobject_cast<QAbstractScrollArea*>(p)) {
      QCoreApplication::sendEvent(area->verticalScrollBar(), event);
      return true;
    }
  event->ignore();
  return true;
}

}  // namespace qs::views
