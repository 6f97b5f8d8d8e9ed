// The models the workbench offers before the user has opened any: qs::bundled_models() (shipped
// under resources/models first, then the test models of QUANTISCOPE_DATA) as labelled paths.
#pragma once
#include <QList>
#include <QString>

namespace qs::workbench {

struct LabelledPath {
  QString label;  // "qs-ref-llm (shipped)"
  QString path;
};

QList<LabelledPath> default_models();
// The first default model, or "" when none is installed.
QString first_default_model();

}  // namespace qs::workbench
