#include "views/mri/metrics_table.h"

#include <QHeaderView>

namespace qs::views {
namespace {
// Numbers sort as numbers: the display text is formatted, the sort key is the value.
QTableWidgetItem* number(double v, int decimals) {
  auto* item = new QTableWidgetItem;
  item->setData(Qt::DisplayRole, QString::number(v, 'f', decimals));
  item->setData(Qt::UserRole, v);
  item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  return item;
}

class NumericItem : public QTableWidgetItem {
 public:
  bool operator<(const QTableWidgetItem& other) const override {
    const QVariant a = data(Qt::UserRole), b = other.data(Qt::UserRole);
    if (a.isValid() && b.isValid()) return a.toDouble() < b.toDouble();
    return QTableWidgetItem::operator<(other);
  }
};

QTableWidgetItem* sortable(QTableWidgetItem* item) {
  auto* n = new NumericItem;
  n->setData(Qt::DisplayRole, item->data(Qt::DisplayRole));
  n->setData(Qt::UserRole, item->data(Qt::UserRole));
  n->setTextAlignment(Qt::Alignment(item->textAlignment()));
  delete item;
  return n;
}
}  // namespace

MetricsTable::MetricsTable(QWidget* parent) : QTableWidget(parent) {
  setColumnCount(6);
  setHorizontalHeaderLabels({tr("Method"), tr("Scope"), tr("PSNR (dB)"), tr("SSIM"), tr("NMSE"), tr("Seconds")});
  horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
  verticalHeader()->hide();
  setEditTriggers(QAbstractItemView::NoEditTriggers);
  setSelectionBehavior(QAbstractItemView::SelectRows);
  setSortingEnabled(true);
}

void MetricsTable::setRows(const std::vector<MetricsRow>& rows) {
  setSortingEnabled(false);  // inserting into a sorted table scrambles rows
  setRowCount(int(rows.size()));
  for (int i = 0; i < int(rows.size()); ++i) {
    const MetricsRow& r = rows[size_t(i)];
    setItem(i, 0, new QTableWidgetItem(r.method));
    setItem(i, 1, new QTableWidgetItem(r.scope));
    setItem(i, 2, sortable(number(r.psnr, 2)));
    setItem(i, 3, sortable(number(r.ssim, 4)));
    setItem(i, 4, sortable(number(r.nmse, 5)));
    setItem(i, 5, sortable(number(r.seconds, 2)));
  }
  setSortingEnabled(true);
}

QString MetricsTable::toCsv() const {
  QString out = "method,scope,psnr,ssim,nmse,seconds\n";
  for (int r = 0; r < rowCount(); ++r) {
    QStringList cells;
    for (int c = 0; c < columnCount(); ++c) {
      const QTableWidgetItem* it = item(r, c);
      const QVariant v = it ? it->data(Qt::UserRole) : QVariant();
      cells << (v.isValid() ? QString::number(v.toDouble(), 'g', 10) : (it ? it->text() : QString()));
    }
    out += cells.join(',') + "\n";
  }
  return out;
}

}  // namespace qs::views
