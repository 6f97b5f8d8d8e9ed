// The conversation as the user sees it: one block per message, the assistant's reply growing
// token by token, a small statistics line under each finished reply. Hovering a token shows the
// probability the model gave it; one token can be marked as the first that differs from the
// other side of an A/B comparison.
#pragma once
#include <QString>
#include <QTextBrowser>
#include <functional>
#include <vector>

class QLabel;

namespace qs::views {

class ChatTranscriptView : public QTextBrowser {
  Q_OBJECT
 public:
  explicit ChatTranscriptView(QWidget* parent = nullptr);

  void setHeading(const QString& heading);  // e.g. "A · f16 / f16"
  const QString& heading() const { return heading_; }
  void clearMessages();
  void addMessage(const QString& role, const QString& text, const QString& stats = {});
  // Appends one generated token (text may be "" while a character is incomplete) to the last
  // (assistant) message.
  void appendToken(const QString& text, float probability, int id);
  // A grey line under the last message ("42 tokens · 1650 tok/s · first token 4 ms · eos").
  void setLastStats(const QString& stats);
  // Marks token `index` of the last message (-1 clears).
  void markDivergence(int index);
  void removeLastMessage();
  QString lastMessageText() const;
  QString lastRole() const;
  std::vector<int> lastTokenIds() const;
  std::vector<float> lastProbabilities() const;
  int divergence() const;
  int messageCount() const { return int(messages_.size()); }
  struct Message {
    QString role, text, stats;
    std::vector<QString> pieces;
    std::vector<float> probabilities;
    std::vector<int> ids;
    int divergence = -1;
  };
  const std::vector<Message>& messages() const { return messages_; }
  // Replaces every message at once (a loaded conversation): one document build.
  void setMessages(std::vector<Message> messages);
  // The tooltip text for a token (for tests; hovering shows the same).
  QString tokenTip(int message, int index) const;

 protected:
  void resizeEvent(QResizeEvent* e) override;

 private:
  void placeHeading();
  void render();                   // the whole document (heading, clear, remove, load)
  QString messageHtml(size_t index) const;
  void appendLastMessage();        // the last message at the end of the document
  void replaceLastMessage();       // re-renders only the last message (stats, divergence)
  void keepingScroll(const std::function<void()>& change);
  int last_start_ = 0;             // document position where the last message begins
  QString heading_;
  ::QLabel* heading_label_ = nullptr;  // above the viewport (viewport margin), see setHeading
  std::vector<Message> messages_;
};

}  // namespace qs::views
