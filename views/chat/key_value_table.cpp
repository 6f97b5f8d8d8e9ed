#include "views/chat/key_value_table.h"

#include <QHeaderView>

namespace qs::views {

KeyValueTable::KeyValueTable(QWidget* parent) : QTableWidget(0, 2, parent) {
  setHorizontalHeaderLabels({tr("Property"), tr("Value")});
  horizontalHeader()->setStretchLastSection(true);
  horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
  verticalHeader()->hide();
  setEditTriggers(QAbstractItemView::NoEditTriggers);
  setSelectionBehavior(QAbstractItemView::SelectRows);
  setWordWrap(false);
}

void KeyValueTable::setRows(const std::vector<std::pair<QString, QString>>& rows) {
  setRowCount(int(rows.size()));
  for (int i = 0; i < int(rows.size()); ++i) {
    setItem(i, 0, new QTableWidgetItem(rows[size_t(i)].first));
    auto* v = new QTableWidgetItem(rows[size_t(i)].second);
    v->setToolTip(rows[size_t(i)].second);
    setItem(i, 1, v);
  }
}

QString KeyValueTable::value(const QString& key) const {
  for (int i = 0; i < rowCount(); ++i)
    if (item(i, 0) && item(i, 0)->text() == key) return item(i, 1)->text();
  return {};
}

}  // namespace qs::views
