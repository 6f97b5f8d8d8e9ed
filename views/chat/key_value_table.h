// Two-column table of labelled values (model metadata, run settings).
#pragma once
#include <QTableWidget>
#include <QString>
#include <utility>
#include <vector>

namespace qs::views {

class KeyValueTable : public QTableWidget {
  Q_OBJECT
 public:
  explicit KeyValueTable(QWidget* parent = nullptr);
  void setRows(const std::vector<std::pair<QString, QString>>& rows);
  QString value(const QString& key) const;
};

}  // namespace qs::views
