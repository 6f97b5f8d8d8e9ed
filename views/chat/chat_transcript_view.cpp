#include "views/chat/chat_transcript_view.h"

#include <QScrollBar>

namespace qs::views {

ChatTranscriptView::ChatTranscriptView(QWidget* parent) : QTextBrowser(parent) {
  setOpenLinks(false);
  setPlaceholderText(tr("Open a model, type a prompt below and press Send."));
}

void ChatTranscriptView::clearMessages() {
  messages_.clear();
  render();
}

void ChatTranscriptView::addMessage(const QString& role, const QString& text) {
  messages_.push_back({role, text, {}});
  render();
}

void ChatTranscriptView::appendToLast(const QString& text) {
  if (messages_.empty()) messages_.push_back({"assistant", {}, {}});
  messages_.back().text += text;
  render();
}

void ChatTranscriptView::setLastStats(const QString& stats) {
  if (messages_.empty()) return;
  messages_.back().stats = stats;
  render();
}

QString ChatTranscriptView::lastMessageText() const { return messages_.empty() ? QString() : messages_.back().text; }

void ChatTranscriptView::render() {
  // Stay pinned to the bottom while streaming unless the user scrolled up to read.
  QScrollBar* bar = verticalScrollBar();
  const bool at_bottom = bar->value() >= bar->maximum() - 4;
  QString html = "<html><body style='font-size:11pt'>";
  for (const auto& m : messages_) {
    const bool user = m.role == "user";
    const QString colour = user ? "#1f4e8c" : m.role == "system" ? "#6b6b6b" : "#1e6b35";
    const QString who = user ? tr("You") : m.role == "system" ? tr("System") : tr("Model");
    html += QString("<p style='margin:6px 0 2px 0'><b style='color:%1'>%2</b></p>").arg(colour, who);
    QString body = m.text.toHtmlEscaped();
    body.replace("\n", "<br>");
    html += QString("<div style='margin:0 0 4px 8px; white-space:pre-wrap'>%1</div>").arg(body.isEmpty() ? "&nbsp;" : body);
    if (!m.stats.isEmpty()) html += QString("<p style='margin:0 0 8px 8px; color:#777; font-size:9pt'>%1</p>").arg(m.stats.toHtmlEscaped());
  }
  html += "</body></html>";
  setHtml(html);
  if (at_bottom) bar->setValue(bar->maximum());
}

}  // namespace qs::views
