// The conversation as the user sees it: one block per message, the assistant's reply growing as
// tokens stream in, and a small statistics line under each finished reply.
#pragma once
#include <QString>
#include <QTextBrowser>

namespace qs::views {

class ChatTranscriptView : public QTextBrowser {
  Q_OBJECT
 public:
  explicit ChatTranscriptView(QWidget* parent = nullptr);

  void clearMessages();
  void addMessage(const QString& role, const QString& text);
  // Appends streamed text to the last (assistant) message.
  void appendToLast(const QString& text);
  // A grey line under the last message ("42 tokens · 1650 tok/s · first token 4 ms · eos").
  void setLastStats(const QString& stats);
  QString lastMessageText() const;
  int messageCount() const { return int(messages_.size()); }

 private:
  struct Message {
    QString role, text, stats;
  };
  void render();
  std::vector<Message> messages_;
};

}  // namespace qs::views
