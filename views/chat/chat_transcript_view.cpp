#include "views/chat/chat_transcript_view.h"

#include <QLabel>
#include <QResizeEvent>
#include <algorithm>

#include <QScrollBar>
#include <QTextCursor>
#include <QTextCharFormat>
#include <QToolTip>
#include <QUrl>

namespace qs::views {

ChatTranscriptView::ChatTranscriptView(QWidget* parent) : QTextBrowser(parent) {
  setOpenLinks(false);
  QFont f = font();  // the messages' size: appended tokens take the document's default font
  f.setPointSizeF(11);
  document()->setDefaultFont(f);
  setPlaceholderText(tr("Open a model, type a prompt below and press Send."));
  heading_label_ = new QLabel(this);
  heading_label_->setWordWrap(true);
  heading_label_->setStyleSheet("color: #444; font-weight: bold");
  heading_label_->hide();
  connect(this, &QTextBrowser::highlighted, this, [this](const QUrl& url) {
    if (url.scheme() != "tok") return;
    const QStringList parts = url.path().split('.');
    if (parts.size() != 2) return;
    QToolTip::showText(QCursor::pos(), tokenTip(parts[0].toInt(), parts[1].toInt()), this);
  });
}

void ChatTranscriptView::setHeading(const QString& heading) {
  if (heading == heading_) return;
  heading_ = heading;
  // A label above the viewport, not a line of the document: it stays in sight however far the
  // transcript scrolls (lane B's heading scrolled away at 1280x720), and changing it re-renders
  // nothing.
  heading_label_->setText(heading_);
  heading_label_->setVisible(!heading_.isEmpty());
  placeHeading();
}

void ChatTranscriptView::placeHeading() {
  const int f = frameWidth(), w = width() - 2 * f - 8;
  const int h = heading_.isEmpty() ? 0 : heading_label_->heightForWidth(w) + 6;
  setViewportMargins(0, h, 0, 0);
  heading_label_->setGeometry(f + 4, f + 3, w, std::max(0, h - 6));
}

void ChatTranscriptView::resizeEvent(QResizeEvent* e) {
  QTextBrowser::resizeEvent(e);
  placeHeading();
}

void ChatTranscriptView::clearMessages() {
  messages_.clear();
  render();
}

void ChatTranscriptView::addMessage(const QString& role, const QString& text, const QString& stats) {
  Message m;
  m.role = role;
  m.text = text;
  m.stats = stats;
  messages_.push_back(m);
  keepingScroll([this] { appendLastMessage(); });
}

void ChatTranscriptView::appendToken(const QString& text, float probability, int id) {
  if (messages_.empty()) addMessage("assistant", {});
  Message& m = messages_.back();
  if (m.pieces.empty() && !m.text.isEmpty()) {
    m.pieces.push_back(m.text);  // text that came before (a continued reply): one untimed piece
    m.probabilities.push_back(-1);
    m.ids.push_back(-1);
  }
  m.text += text;
  m.pieces.push_back(text);
  m.probabilities.push_back(probability);
  m.ids.push_back(id);
  // One token: one insertion at the end of the document, whatever the conversation's length.
  keepingScroll([this, &m, text] {
    if (m.pieces.size() <= 2) return replaceLastMessage();  // the first pieces replace the placeholder
    QTextCharFormat f;
    f.setAnchor(true);
    f.setAnchorHref(QString("tok:%1.%2").arg(messages_.size() - 1).arg(m.pieces.size() - 1));
    f.setForeground(Qt::black);
    QTextCursor c(document());
    c.movePosition(QTextCursor::End);
    c.insertText(text, f);
  });
}

void ChatTranscriptView::setLastStats(const QString& stats) {
  if (messages_.empty()) return;
  messages_.back().stats = stats;
  keepingScroll([this] { replaceLastMessage(); });
}

void ChatTranscriptView::markDivergence(int index) {
  if (messages_.empty()) return;
  messages_.back().divergence = index;
  keepingScroll([this] { replaceLastMessage(); });
}

void ChatTranscriptView::removeLastMessage() {
  if (messages_.empty()) return;
  messages_.pop_back();
  render();
}

QString ChatTranscriptView::lastMessageText() const { return messages_.empty() ? QString() : messages_.back().text; }
QString ChatTranscriptView::lastRole() const { return messages_.empty() ? QString() : messages_.back().role; }
int ChatTranscriptView::divergence() const { return messages_.empty() ? -1 : messages_.back().divergence; }

std::vector<int> ChatTranscriptView::lastTokenIds() const {
  std::vector<int> out;
  if (!messages_.empty())
    for (int id : messages_.back().ids)
      if (id >= 0) out.push_back(id);
  return out;
}

std::vector<float> ChatTranscriptView::lastProbabilities() const {
  std::vector<float> out;
  if (!messages_.empty())
    for (size_t i = 0; i < messages_.back().ids.size(); ++i)
      if (messages_.back().ids[i] >= 0) out.push_back(messages_.back().probabilities[i]);
  return out;
}

QString ChatTranscriptView::tokenTip(int message, int index) const {
  if (message < 0 || message >= int(messages_.size())) return {};
  const Message& m = messages_[size_t(message)];
  if (index < 0 || index >= int(m.pieces.size()) || m.ids[size_t(index)] < 0) return {};
  QString tip = tr("token %1 “%2” (id %3)\np = %4").arg(index).arg(m.pieces[size_t(index)]).arg(m.ids[size_t(index)]).arg(double(m.probabilities[size_t(index)]), 0, 'f', 4);
  if (index == m.divergence) tip += tr("\nfirst token that differs from the other cache");
  return tip;
}

QString ChatTranscriptView::messageHtml(size_t mi) const {
  const Message& m = messages_[mi];
  const bool user = m.role == "user";
  const QString colour = user ? "#1f4e8c" : m.role == "system" ? "#6b6b6b" : "#1e6b35";
  const QString who = user ? tr("You") : m.role == "system" ? tr("System") : tr("Model");
  QString html = QString("<p style='margin:6px 0 2px 0'><b style='color:%1'>%2</b></p>").arg(colour, who);
  QString body;
  if (m.pieces.empty()) {
    body = m.text.toHtmlEscaped();
  } else {
    // Each token is a link so hovering it can show its probability; the divergent one is red.
    for (size_t i = 0; i < m.pieces.size(); ++i) {
      QString piece = m.pieces[i].toHtmlEscaped();
      if (piece.isEmpty()) continue;
      const bool diverges = int(i) == m.divergence;
      const QString style = diverges ? "text-decoration:none;color:white;background-color:#c0392b" : "text-decoration:none;color:black";
      body += QString("<a href='tok:%1.%2' style='%3'>%4</a>").arg(mi).arg(i).arg(style, piece);
    }
  }
  body.replace("\n", "<br>");
  html += QString("<div style='margin:0 0 4px 8px; white-space:pre-wrap'>%1</div>").arg(body.isEmpty() ? "&nbsp;" : body);
  if (!m.stats.isEmpty()) html += QString("<p style='margin:0 0 8px 8px; color:#777; font-size:9pt'>%1</p>").arg(m.stats.toHtmlEscaped());
  return html;
}

void ChatTranscriptView::keepingScroll(const std::function<void()>& change) {
  // Stay pinned to the bottom while streaming unless the user scrolled up to read.
  QScrollBar* bar = verticalScrollBar();
  const bool at_bottom = bar->value() >= bar->maximum() - 4;
  change();
  if (at_bottom) bar->setValue(bar->maximum());
}

void ChatTranscriptView::appendLastMessage() {
  QTextCursor c(document());
  c.movePosition(QTextCursor::End);
  if (!document()->isEmpty()) c.insertBlock();
  last_start_ = c.position();
  c.insertHtml(messageHtml(messages_.size() - 1));
}

void ChatTranscriptView::replaceLastMessage() {
  QTextCursor c(document());
  c.setPosition(std::min(last_start_, document()->characterCount() - 1));
  c.movePosition(QTextCursor::End, QTextCursor::KeepAnchor);
  c.removeSelectedText();
  c.insertHtml(messageHtml(messages_.size() - 1));
}

void ChatTranscriptView::setMessages(std::vector<Message> messages) {
  messages_ = std::move(messages);
  render();
}

void ChatTranscriptView::render() {
  keepingScroll([this] {
    // Everything but the last message in one HTML pass; the last one appended so that its start
    // is known for the token appends that follow.
    QString html;
    for (size_t mi = 0; mi + 1 < messages_.size(); ++mi) html += messageHtml(mi);
    if (html.isEmpty()) clear();
    else setHtml(html);
    last_start_ = 0;
    if (!messages_.empty()) appendLastMessage();
  });
}

}  // namespace qs::views
