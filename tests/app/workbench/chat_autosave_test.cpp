// A chat survives the process being killed: a child process (this executable again, in child
// mode) opens stories260K, gets a reply and keeps running; the test kills it with SIGKILL once the
// autosave holds the reply, then a fresh Chat workspace restores the conversation. Also: a clean
// discard leaves nothing to restore, and an unreadable autosave is set aside, never deleted.
#include <QApplication>
#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

#include "app/workbench/chat_workspace.h"
#include "tests/support/autosave_child.h"
#include "tests/support/test_support.h"
#include "views/chat/chat_transcript_view.h"

using qs::workbench::ChatWorkspace;

namespace {
const char* kPrompt = "Once upon a time, a little robot";

bool open(ChatWorkspace& chat) {
  QSignalSpy ready(&chat, &ChatWorkspace::modelReady);
  chat.openModel(QString::fromStdString(qs::test::asset("llm/stories260K/stories260K.gguf")));
  return ready.wait(20000);
}

// Child mode: chat once, then wait to be killed (never exits cleanly).
int run_child() {
  ChatWorkspace chat;
  if (!open(chat)) return 3;
  QSignalSpy done(&chat, &ChatWorkspace::generationFinished);
  chat.setMaxTokens(40);
  chat.setPrompt(kPrompt);
  chat.send();
  if (!done.wait(30000)) return 4;
  QTest::qWait(120000);
  return 5;
}
}  // namespace

class ChatAutosaveTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { QCoreApplication::setOrganizationName("QuantiscopeTest"); }

  void aKilledChatComesBackAtTheNextStart() {
    ChatWorkspace probe;
    const QString autosave = probe.autosavePath();
    QFile::remove(autosave);
    // Wait for the reply in the autosave, then SIGKILL.
    const QString failure = qs::test::kill_child_after_autosave(autosave, "assistant", 60000);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    qInfo("killed the child after its autosave (%lld bytes)", (long long)QFileInfo(autosave).size());

    ChatWorkspace again;
    QSignalSpy restored(&again, &ChatWorkspace::autosaveRestored);
    QSignalSpy ready(&again, &ChatWorkspace::modelReady);
    again.openModel(QString::fromStdString(qs::test::asset("llm/stories260K/stories260K.gguf")));
    again.restoreAutosave();  // waits for the model, as at start-up
    QVERIFY(ready.wait(20000));
    QVERIFY(restored.count() == 1 || restored.wait(5000));
    const auto& messages = again.transcript()->messages();
    QVERIFY2(messages.size() >= 2, qPrintable(QString::number(messages.size())));
    QCOMPARE(messages.front().text, QString(kPrompt));
    QVERIFY(!messages.back().text.isEmpty());
    QVERIFY(again.hasUnsavedWork());  // restored, not saved by the user
    again.discardAutosave();
    QVERIFY(!QFileInfo::exists(autosave));
    QVERIFY(!again.hasUnsavedWork());
  }

  void anUnreadableAutosaveIsSetAsideNotDeleted() {
    ChatWorkspace chat;
    qs::test::expect_an_unreadable_autosave_set_aside(chat, "{ not a conversation");
  }
};

int main(int argc, char** argv) { return qs::test::autosave_test_main<ChatAutosaveTest>(argc, argv, run_child); }

#include "chat_autosave_test.moc"
