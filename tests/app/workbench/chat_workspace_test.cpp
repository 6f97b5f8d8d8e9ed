// The Chat workspace end to end under the offscreen platform: open stories260K, send a prompt,
// see the reply stream in on the worker thread, and stop a long generation quickly.
#include <QApplication>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include "app/workbench/chat_workspace.h"
#include "tests/support/test_support.h"
#include "views/chat/chat_transcript_view.h"

using qs::workbench::ChatWorkspace;

class ChatWorkspaceTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    QCoreApplication::setOrganizationName("QuantiscopeTest");
  }

  void loadsAModelAndStreamsAGreedyReply() {
    ChatWorkspace chat;
    QSignalSpy ready(&chat, &ChatWorkspace::modelReady);
    chat.openModel(QString::fromStdString(qs::test::asset("llm/stories260K/stories260K.gguf")));
    QVERIFY(ready.wait(20000));
    QSignalSpy tokens(&chat, &ChatWorkspace::tokenArrived);
    QSignalSpy done(&chat, &ChatWorkspace::generationFinished);
    chat.setPrompt("Once upon a time");
    chat.send();
    QVERIFY(chat.isBusy());
    QVERIFY(done.wait(20000));
    QVERIFY(tokens.count() > 10);  // streamed piece by piece, not in one block
    QString reply = chat.transcript()->lastMessageText();
    QVERIFY2(reply.contains("Lily") || reply.size() > 50, qPrintable(reply));
    QVERIFY(chat.statusText().contains("tok/s"));
  }

  void stopReturnsControlWithinASecond() {
    ChatWorkspace chat;
    QSignalSpy ready(&chat, &ChatWorkspace::modelReady);
    chat.openModel(QString::fromStdString(qs::test::asset("llm/stories260K/stories260K.gguf")));
    QVERIFY(ready.wait(20000));
    QSignalSpy done(&chat, &ChatWorkspace::generationFinished);
    QSignalSpy tokens(&chat, &ChatWorkspace::tokenArrived);
    chat.setMaxTokens(2000);  // far longer than the stop below takes to arrive
    chat.setPrompt("Once upon a time");
    chat.send();
    QVERIFY(tokens.wait(10000));
    QElapsedTimer t;
    t.start();
    chat.stop();
    QVERIFY(done.wait(5000));
    QVERIFY2(t.elapsed() < 1000, qPrintable(QString::number(t.elapsed())));
    QVERIFY(!chat.isBusy());
    QVERIFY(chat.statusText().contains("cancelled"));
  }

  void badModelFileShowsAnErrorNotACrash() {
    qs::test::TempDir dir;
    QString bad = QString::fromStdString(dir.write("broken.gguf", std::string("GGUF\x03\0\0\0garbage", 15)));
    ChatWorkspace chat;
    // The warning dialog is modal: close it as soon as it appears.
    QTimer::singleShot(500, [] {
      for (QWidget* w : QApplication::topLevelWidgets())
        if (w->inherits("QMessageBox")) w->close();
    });
    chat.openModel(bad);
    QTest::qWait(1500);
    QVERIFY(chat.statusText().contains("Could not load"));
  }
};

QTEST_MAIN(ChatWorkspaceTest)
#include "chat_workspace_test.moc"
