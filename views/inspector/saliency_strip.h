// The transcript as the cache saw it: each token's background is the attention it receives
// (white = none, orange = the most) and its text colour is its class in the cache: full
// precision (green, bold), 4-bit (blue) or 2-bit (grey). Hovering a token shows the numbers.
#pragma once
#include <QStringList>
#include <QTextBrowser>
#include <vector>

namespace qs::views {

class SaliencyStrip : public QTextBrowser {
  Q_OBJECT
 public:
  explicit SaliencyStrip(QWidget* parent = nullptr);
  // bits per token: 0 = full precision, else the quantized width.
  void setData(const QStringList& tokens, const std::vector<double>& received, const std::vector<int>& bits);
  int tokenCount() const { return tokens_.size(); }
  const std::vector<int>& bits() const { return bits_; }
  QString csv() const;

 private:
  QStringList tokens_;
  std::vector<double> received_;
  std::vector<int> bits_;
};

}  // namespace qs::views
