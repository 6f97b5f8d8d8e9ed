#include "views/image/slice_view.h"

#include <algorithm>

#include <QMouseEvent>
#include <QFontMetrics>
#include <QPainter>
#include <QWheelEvent>
#include <cmath>

namespace qs::views {
namespace {
constexpr int kTitleHeight = 18, kCaptionHeight = 18, kBarWidth = 64;
}

SliceView::SliceView(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setAttribute(Qt::WA_OpaquePaintEvent);
}

void SliceView::setImage(const Grid& grid, double aspect) {
  grid_ = grid;
  aspect_ = aspect > 0 ? aspect : 1.0;
  message_.clear();
  rebuild();
}

void SliceView::clearImage(const QString& message) {
  grid_ = Grid();
  image_ = QImage();
  message_ = message;
  update();
}

void SliceView::setTitle(const QString& title) {
  title_ = title;
  update();
}

void SliceView::setCaption(const QString& caption) {
  caption_ = caption;
  update();
}

void SliceView::setColormap(Colormap map, bool color_bar) {
  map_ = map;
  color_bar_ = color_bar;
  rebuild();
}

void SliceView::setRange(double low, double high) {
  if (low == low_ && high == high_) return;
  low_ = low;
  high_ = high;
  rebuild();
}

void SliceView::setZoomPan(double zoom, QPointF pan) {
  zoom_ = zoom;
  pan_ = pan;
  update();
}

void SliceView::rebuild() {
  image_ = grid_.empty() ? QImage() : grid_to_image(grid_, map_, low_, high_);
  update();
}

QRect SliceView::plotArea() const {
  return rect().adjusted(0, kTitleHeight, color_bar_ ? -kBarWidth : 0, -kCaptionHeight);
}

// Fit the image into the plot area keeping its physical aspect, then zoom about the centre
// and shift by the pan (in image pixels, so every synced pane moves by the same anatomy).
QRectF SliceView::imageRect() const {
  const QRect area = plotArea();
  if (image_.isNull() || area.width() <= 0 || area.height() <= 0) return {};
  const double w = image_.width(), h = image_.height() * aspect_;
  const double fit = std::min(area.width() / w, area.height() / h) * zoom_;
  const QPointF centre = QPointF(area.center()) + QPointF(pan_.x() * fit, pan_.y() * fit * aspect_);
  return {centre.x() - w * fit / 2, centre.y() - h * fit / 2, w * fit, h * fit};
}

void SliceView::drawCaption(QPainter& p, const QRect& box) const {
  // A caption wider than its pane ("PSNR 24.50 dB · SSIM 0.815" in a 1200-pixel window with four
  // methods was cut to "SSIM 0.(") is drawn in a smaller font, down to 70 %, then in parts
  // (" · ") on lines of their own above the bottom edge.
  if (caption_.isEmpty()) return;
  QFont f = p.font();
  const double size = f.pointSizeF() > 0 ? f.pointSizeF() : 9.0;
  for (double scale = 1.0; scale >= 0.7; scale -= 0.1) {
    f.setPointSizeF(size * scale);
    if (QFontMetrics(f).horizontalAdvance(caption_) <= box.width()) {
      p.save();
      p.setFont(f);
      p.drawText(box, Qt::AlignVCenter | Qt::AlignLeft, caption_);
      p.restore();
      return;
    }
  }
  p.save();
  p.setFont(f);
  const QStringList parts = caption_.split(QStringLiteral(" · "));
  const int line = QFontMetrics(f).height();
  for (int i = 0; i < parts.size(); ++i) {
    const QRect r(box.left(), box.bottom() - line * (parts.size() - i), box.width(), line);
    p.fillRect(r.adjusted(-4, 0, 4, 0), QColor(0, 0, 0, 160));
    p.drawText(r, Qt::AlignVCenter | Qt::AlignLeft, QFontMetrics(f).elidedText(parts[i], Qt::ElideRight, box.width()));
  }
  p.restore();
}

void SliceView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), Qt::black);
  const QRect area = plotArea();
  if (!image_.isNull()) {
    p.save();
    p.setClipRect(area);
    p.setRenderHint(QPainter::SmoothPixmapTransform, false);
    p.drawImage(imageRect(), image_);
    p.restore();
  } else {
    p.setPen(QColor(200, 200, 200));
    p.drawText(area, Qt::AlignCenter | Qt::TextWordWrap, message_);
  }
  p.setPen(Qt::white);
  // The hover readout takes the right of the title bar; the title gets what is left, elided
  // (they overlapped in narrow panes).
  const int room = width() - 8;
  const int hover_width = hover_.isEmpty() ? 0 : std::min(room, p.fontMetrics().horizontalAdvance(hover_) + 8);
  p.drawText(QRect(4, 0, room - hover_width, kTitleHeight), Qt::AlignVCenter | Qt::AlignLeft, p.fontMetrics().elidedText(title_, Qt::ElideRight, room - hover_width));
  if (!hover_.isEmpty()) p.drawText(QRect(4, 0, room, kTitleHeight), Qt::AlignVCenter | Qt::AlignRight, p.fontMetrics().elidedText(hover_, Qt::ElideLeft, room));
  drawCaption(p, QRect(4, height() - kCaptionHeight, room, kCaptionHeight));
  if (color_bar_) {
    // Colour bar with its end values: an error map without its scale cannot be read.
    const QRect bar(area.right() + 8, area.top() + 8, 14, std::max(20, area.height() - 16));
    for (int y = 0; y < bar.height(); ++y) {
      const double t = 1.0 - double(y) / std::max(1, bar.height() - 1);
      p.setPen(QColor(colormap_rgb(map_, float(low_ + t * (high_ - low_)), low_, high_)));
      p.drawLine(bar.left(), bar.top() + y, bar.right(), bar.top() + y);
    }
    p.setPen(Qt::white);
    p.drawRect(bar);
    QFont f = p.font();
    f.setPointSizeF(f.pointSizeF() * 0.85);
    p.setFont(f);
    p.drawText(QRect(bar.right() + 3, bar.top() - 2, kBarWidth - 26, 14), Qt::AlignLeft, QString::number(high_, 'g', 3));
    p.drawText(QRect(bar.right() + 3, bar.bottom() - 12, kBarWidth - 26, 14), Qt::AlignLeft, QString::number(low_, 'g', 3));
  }
}

void SliceView::mousePressEvent(QMouseEvent* e) { last_mouse_ = e->position(); }

void SliceView::leaveEvent(QEvent*) {
  hover_.clear();
  update();
}

void SliceView::mouseMoveEvent(QMouseEvent* e) {
  if (e->buttons() == Qt::NoButton) {
    const QRectF r = imageRect();
    QString text;
    if (!r.isEmpty() && r.contains(e->position())) {
      const int64_t c = int64_t((e->position().x() - r.left()) / r.width() * double(grid_.cols));
      const int64_t row = int64_t((e->position().y() - r.top()) / r.height() * double(grid_.rows));
      if (c >= 0 && c < grid_.cols && row >= 0 && row < grid_.rows) text = QString("(%1, %2) %3").arg(c).arg(row).arg(double(grid_.at(row, c)), 0, 'g', 4);
    }
    if (text != hover_) {
      hover_ = text;
      update();
    }
    return;
  }
  const QPointF d = e->position() - last_mouse_;
  last_mouse_ = e->position();
  const QRectF r = imageRect();
  const bool pan = (e->buttons() & Qt::MiddleButton) || ((e->buttons() & Qt::LeftButton) && (e->modifiers() & Qt::ShiftModifier));
  if (pan && !r.isEmpty()) {
    Q_EMIT panDragged(QPointF(d.x() * grid_.cols / r.width(), d.y() * grid_.rows / r.height()));
  } else if (e->buttons() & Qt::LeftButton) {
    // Horizontal drag widens the window, vertical drag moves the level (up = brighter), as in
    // ITK-SNAP and 3D Slicer; one widget width spans the whole current window.
    Q_EMIT windowLevelDragged(d.x() / std::max(1, width()), -d.y() / std::max(1, height()));
  }
}

void SliceView::mouseDoubleClickEvent(QMouseEvent*) { Q_EMIT resetRequested(); }

void SliceView::wheelEvent(QWheelEvent* e) {
  const int steps = e->angleDelta().y() / 120;
  if (steps == 0) return;
  if (e->modifiers() & Qt::ControlModifier)
    Q_EMIT zoomRequested(std::pow(1.25, steps));
  else
    Q_EMIT sliceStepRequested(steps);
}

}  // namespace qs::views
