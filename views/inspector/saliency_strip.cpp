#include "views/inspector/saliency_strip.h"

#include <QToolTip>
#include <QUrl>
#include <algorithm>
#include <cmath>

namespace qs::views {
namespace {
QString class_colour(int bits) {
  if (bits == 0) return "#00a050";
  return bits >= 4 ? "#1e64c8" : "#707070";
}
QString class_name(int bits) { return bits == 0 ? QObject::tr("full precision") : QObject::tr("%1-bit").arg(bits); }
}  // namespace

SaliencyStrip::SaliencyStrip(QWidget* parent) : QTextBrowser(parent) {
  setOpenLinks(false);
  connect(this, &QTextBrowser::highlighted, this, [this](const QUrl& url) {
    const int t = url.path().toInt();
    if (url.scheme() != "tok" || t < 0 || t >= tokens_.size()) return;
    QToolTip::showText(QCursor::pos(), tr("token %1 “%2”\nattention received %3\n%4").arg(t).arg(tokens_[t]).arg(received_[size_t(t)], 0, 'f', 3).arg(class_name(bits_[size_t(t)])), this);
  });
}

void SaliencyStrip::setData(const QStringList& tokens, const std::vector<double>& received, const std::vector<int>& bits) {
  tokens_ = tokens;
  received_ = received;
  bits_ = bits;
  received_.resize(size_t(tokens.size()), 0.0);
  bits_.resize(size_t(tokens.size()), 0);
  double top = 0;
  for (double r : received_) top = std::max(top, r);
  // Attention received is heavy-tailed (sinks take most): a log scale keeps the rest visible.
  QString html = "<div style='line-height:170%;font-size:large'>";
  for (int t = 0; t < tokens.size(); ++t) {
    const double s = top > 0 ? std::log1p(99 * received_[size_t(t)] / top) / std::log(100.0) : 0.0;
    const QColor bg = QColor::fromRgbF(1.0, 1.0 - 0.55 * s, 1.0 - 0.95 * s);
    const int b = bits_[size_t(t)];
    // Zero-width spaces between tokens let the strip wrap; spaces inside a token stay visible.
    html += QString("<a href='tok:%1' style='text-decoration:none;color:%3;%4'><span style='background-color:%2'>%5</span></a>&#8203;")
                .arg(t)
                .arg(bg.name(), class_colour(b), b == 0 ? "font-weight:bold" : "", tokens[t].toHtmlEscaped().replace(' ', "&nbsp;"));
  }
  html += "</div><p style='color:#555'><small>" +
          tr("Background: attention received (log scale, white = none). Text colour: the key's class in the cache: <b style='color:#00a050'>full precision</b>, "
             "<span style='color:#1e64c8'>4-bit</span>, <span style='color:#707070'>2-bit</span>. Hover a token for its numbers.") +
          "</small></p>";
  setHtml(html);
}

QString SaliencyStrip::csv() const {
  QString out = "token,text,attention_received,bits\n";
  for (int t = 0; t < tokens_.size(); ++t) {
    QString text = tokens_[t];
    text.replace('"', "\"\"");
    out += QString("%1,\"%2\",%3,%4\n").arg(t).arg(text).arg(received_[size_t(t)], 0, 'g', 8).arg(bits_[size_t(t)]);
  }
  return out;
}

}  // namespace qs::views
