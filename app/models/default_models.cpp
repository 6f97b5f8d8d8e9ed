#include "app/models/default_models.h"

#include "core/common/bundled_models.h"

namespace qs::workbench {

QList<LabelledPath> default_models() {
  QList<LabelledPath> out;
  for (const BundledModel& m : bundled_models())
    out.push_back({QString::fromStdString(m.name + " (" + m.origin + ")"), QString::fromStdString(m.path)});
  return out;
}

QString first_default_model() {
  const auto all = default_models();
  return all.isEmpty() ? QString() : all.front().path;
}

}  // namespace qs::workbench
