// The one way the workbench asks where to save: a save dialog that confirms before replacing
// an existing file and adds the suffix when the user leaves it out. "" when cancelled.
#pragma once
#include <QString>

class QWidget;

namespace qs::views {

QString ask_save_path(QWidget* parent, const QString& title, const QString& dir, const QString& filter, const QString& suffix);

}  // namespace qs::views
