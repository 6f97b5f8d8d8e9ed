// Saving a user's export (PNG, PDF, CSV) whole or not at all: `write` writes a temporary file
// beside the target (same suffix, so the writer picks the format); only when it succeeds is the
// temporary renamed over the target (one atomic rename), else it is removed. A full disk or a
// crash mid-write leaves the previous file, never half of a new one.
#pragma once
#include <QString>
#include <functional>

namespace qs::views {

bool save_atomically(const QString& path, const std::function<bool(const QString& temporary)>& write);

}  // namespace qs::views
