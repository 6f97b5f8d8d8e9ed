// One 2-D image pane: draws a grid with a window/level (or a fixed range and colour bar for
// error maps), zoomed and panned as it is told. Mouse gestures become requests the owner
// forwards to the shared SliceSync: left drag = window/level, middle or Shift+left drag = pan,
// wheel = slice, Ctrl+wheel = zoom, double click = reset view. Hovering shows the pixel and its
// value, as ITK-SNAP's cursor inspector does.
#pragma once
#include <QImage>
#include <QPointF>
#include <QString>
#include <QWidget>

#include "core/common/grid.h"
#include "views/image/colormap.h"

class QPainter;

namespace qs::views {

class SliceView : public QWidget {
  Q_OBJECT
 public:
  explicit SliceView(QWidget* parent = nullptr);

  // aspect = row spacing / column spacing (pixels drawn taller when > 1).
  void setImage(const Grid& grid, double aspect = 1.0);
  void clearImage(const QString& message);
  void setTitle(const QString& title);
  void setCaption(const QString& caption);  // bottom line (metrics of this pane)
  void setColormap(Colormap map, bool color_bar);
  void setRange(double low, double high);  // what black and white (or the colour ends) mean
  void setZoomPan(double zoom, QPointF pan);
  const Grid& grid() const { return grid_; }
  QString title() const { return title_; }
  double low() const { return low_; }
  double high() const { return high_; }
  double zoom() const { return zoom_; }
  QPointF pan() const { return pan_; }
  QSize sizeHint() const override { return {260, 260}; }
  QSize minimumSizeHint() const override { return {120, 120}; }

 Q_SIGNALS:
  void windowLevelDragged(double d_window, double d_level);  // in units of the current range
  void panDragged(QPointF image_pixels);
  void zoomRequested(double factor);
  void sliceStepRequested(int delta);
  void resetRequested();

 protected:
  void paintEvent(QPaintEvent*) override;
  void drawCaption(QPainter& p, const QRect& box) const;
  void mousePressEvent(QMouseEvent* e) override;
  void mouseMoveEvent(QMouseEvent* e) override;
  void mouseDoubleClickEvent(QMouseEvent* e) override;
  void leaveEvent(QEvent* e) override;
  void wheelEvent(QWheelEvent* e) override;

 private:
  void rebuild();
  QRectF imageRect() const;
  QRect plotArea() const;

  Grid grid_;
  QImage image_;
  QString title_, caption_, message_, hover_;
  Colormap map_ = Colormap::kGray;
  bool color_bar_ = false;
  double low_ = 0, high_ = 1, aspect_ = 1, zoom_ = 1;
  QPointF pan_, last_mouse_;
};

}  // namespace qs::views
