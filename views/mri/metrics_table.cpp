#include "views/mri/metrics_table.h"

#include <QHeaderView>

#include <cmath>
#include <limits>

namespace qs::views {
namespace {
// Numbers sort as numbers: the display text is formatted, the sort key is the value.
// A value that is not finite (PSNR of an empty slice reconstructed exactly: inf; of an empty
// target: nan) shows what it is and sorts below every number.
QTableWidgetItem* number(double v, int decimals) {
  auto* item = new QTableWidgetItem;
  item->setData(Qt::DisplayRole, std::isfinite(v) ? QString::number(v, 'f', decimals) : std::isnan(v) ? QObject::tr("n/a") : QObject::tr("inf (exact)"));
  item->setData(Qt::UserRole, std::isfinite(v) ? v : -std::numeric_limits<double>::max());
  item->setData(Qt::UserRole + 1, v);  // the value itself, for the CSV
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
  n->setData(Qt::UserRole + 1, item->data(Qt::UserRole + 1));
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
  horizontalHeaderItem(2)->setToolTip(tr("fastMRI's convention: the data range is the target's maximum over the slices scored together "
                                         "(a stack's per-slice rows use the stack's range, so a one-slice run of the same slice can differ)"));
  connect(this, &QTableWidget::cellClicked, this, [this](int row, int) {
    const QTableWidgetItem* scope = item(row, 1);
    const QVariant slice = scope ? scope->data(Qt::UserRole + 2) : QVariant();
    if (slice.isValid() && slice.toInt() >= 0) Q_EMIT sliceActivated(slice.toInt());
  });
}

void MetricsTable::setRows(const std::vector<MetricsRow>& rows) {
  setSortingEnabled(false);  // inserting into a sorted table scrambles rows
  setRowCount(int(rows.size()));
  for (int i = 0; i < int(rows.size()); ++i) {
    const MetricsRow& r = rows[size_t(i)];
    setItem(i, 0, new QTableWidgetItem(r.method));
    // Whole runs first, then slices in their order (not as text: slice 10 after slice 9).
    auto* scope = sortable(new QTableWidgetItem(r.scope));
    scope->setData(Qt::UserRole, r.slice);
    scope->setData(Qt::UserRole + 2, r.slice);
    scope->setToolTip(r.scope_tip);
    scope->setTextAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    setItem(i, 1, scope);
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
      const QVariant v = it && c >= 2 ? it->data(Qt::UserRole + 1) : QVariant();
      cells << (v.isValid() ? QString::number(v.toDouble(), 'g', 10) : (it ? it->text() : QString()));
    }
    out += cells.join(',') + "\n";
  }
  return out;
}

}  // namespace qs::views
