// The Chat workspace end to end under the offscreen platform: open stories260K, send a prompt,
// see the reply stream in on the worker thread, and stop a long generation quickly.
#include <QApplication>
#include <QFile>
#include <QElapsedTimer>
#include <QSettings>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <QTimer>

#include "app/models/conversation.h"
#include "app/workbench/chat_workspace.h"
#include "views/chat/context_bar.h"
#include "core/kv/kv_cache.h"
#include "tests/support/test_support.h"
#include "views/chat/chat_transcript_view.h"

using qs::workbench::ChatWorkspace;

namespace {
// Sends a prompt for a reply far longer than a test waits for and returns once tokens flow.
bool start_long_reply(ChatWorkspace& chat, QSignalSpy& tokens) {
  chat.setMaxTokens(2000);
  chat.setPrompt("Once upon a time");
  chat.send();
  return tokens.wait(10000);
}

// Warning dialogs are modal: close them once they have appeared.
void close_message_boxes_after(int ms) {
  QTimer::singleShot(ms, [] {
    for (QWidget* w : QApplication::topLevelWidgets())
      if (w->inherits("QMessageBox")) w->close();
  });
}

bool open(ChatWorkspace& chat) {
  QSignalSpy ready(&chat, &ChatWorkspace::modelReady);
  chat.openModel(QString::fromStdString(qs::test::asset("llm/stories260K/stories260K.gguf")));
  return ready.wait(20000);
}
}  // namespace

class ChatWorkspaceTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void init() { QSettings().clear(); }  // each case starts from the defaults
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
    QVERIFY(start_long_reply(chat, tokens));
    QElapsedTimer t;
    t.start();
    chat.stop();
    QVERIFY(done.wait(5000));
    QVERIFY2(t.elapsed() < 1000, qPrintable(QString::number(t.elapsed())));
    qInfo("stop returned after %lld ms", (long long)t.elapsed());
    QVERIFY(!chat.isBusy());
    QVERIFY(chat.statusText().contains("cancelled"));
  }

  void escapeStopsLikeTheStopButton() {
    ChatWorkspace chat;
    chat.show();
    QVERIFY(open(chat));
    QSignalSpy done(&chat, &ChatWorkspace::generationFinished);
    QSignalSpy tokens(&chat, &ChatWorkspace::tokenArrived);
    QVERIFY(start_long_reply(chat, tokens));
    auto* prompt = chat.findChild<QPlainTextEdit*>("prompt");
    QVERIFY(prompt);
    prompt->setFocus();
    QTest::keyClick(prompt, Qt::Key_Escape);
    QVERIFY(done.wait(5000));
    QVERIFY(chat.statusText().contains("cancelled"));
  }

  // The reply ends where Stop was pressed: tokens the engine made before it saw the request
  // (queued behind a busy UI thread) are not shown or kept.
  void noTokenAppearsAfterStop() {
    ChatWorkspace chat;
    QVERIFY(open(chat));
    QSignalSpy done(&chat, &ChatWorkspace::generationFinished);
    QSignalSpy tokens(&chat, &ChatWorkspace::tokenArrived);
    QVERIFY(start_long_reply(chat, tokens));
    QThread::msleep(200);  // the engine runs ahead of the (blocked) UI thread meanwhile
    const QString shown = chat.transcript()->lastMessageText();
    const int arrived = tokens.count();
    chat.stop();
    QVERIFY(done.wait(5000));
    QCOMPARE(tokens.count(), arrived);
    QCOMPARE(chat.transcript()->lastMessageText(), shown);
    qInfo("stopped with %d tokens shown", arrived);
  }

  // Stop in A/B mode while A runs: B never starts, says so, and no error dialog waits for a click.
  void stopInAbModeLeavesBNotRunWithoutAnError() {
    ChatWorkspace chat;
    QVERIFY(open(chat));
    chat.setAbMode(true);
    chat.setCacheTypes("f16", "f16", 0);
    chat.setCacheTypes("f16", "f16", 1);
    chat.setMaxTokens(2000);
    QSignalSpy done(&chat, &ChatWorkspace::generationFinished);
    QSignalSpy tokens(&chat, &ChatWorkspace::tokenArrived);
    chat.setPrompt("Once upon a time");
    chat.send();
    QVERIFY(tokens.wait(10000));
    chat.stop();
    QVERIFY2(done.wait(5000), "the A/B run did not end after Stop (an error dialog?)");
    QVERIFY(!chat.isBusy());
    auto* b = chat.transcript(1);
    QCOMPARE(b->lastRole(), QString("assistant"));
    QVERIFY2(b->messages().back().stats.contains("not run"), qPrintable(b->messages().back().stats));
    QCOMPARE(b->messageCount(), chat.transcript(0)->messageCount());
  }

  // A/B turned on after a reply: B holds A's conversation, labelled as A's, until B has run.
  void laneBSaysItHasNotRunUntilItHas() {
    ChatWorkspace chat;
    QVERIFY(open(chat));
    chat.setPreset(0);
    chat.setMaxTokens(20);
    chat.setCacheTypes("f16", "f16", 1);  // a cache that needs no calibration on this model
    QSignalSpy done(&chat, &ChatWorkspace::generationFinished);
    chat.setPrompt("Once upon a time");
    chat.send();
    QVERIFY(done.wait(20000));
    chat.setAbMode(true);
    auto* b = chat.transcript(1);
    QVERIFY2(b->heading().contains("not run yet"), qPrintable(b->heading()));
    QVERIFY2(b->messages().back().stats.contains("A's reply"), qPrintable(b->messages().back().stats));
    chat.setPrompt("The end");
    chat.send();
    QVERIFY(done.wait(20000));
    QVERIFY2(!b->heading().contains("not run"), qPrintable(b->heading()));
    QVERIFY2(b->messages().back().stats.contains("tok/s"), qPrintable(b->messages().back().stats));
    // The same prompt has the same length in both lanes (it read "prompt 1 tok" in A, which
    // reused its cache, and "prompt 20 tok" in B): A says how much it reused.
    const QRegularExpression length("prompt (\\d+) tok");
    const QString sa = chat.transcript(0)->messages().back().stats, sb = b->messages().back().stats;
    const auto ma = length.match(sa), mb = length.match(sb);
    QVERIFY2(ma.hasMatch() && mb.hasMatch(), qPrintable(sa + " | " + sb));
    QCOMPARE(ma.captured(1), mb.captured(1));
    QVERIFY2(sa.contains("reused"), qPrintable(sa));
  }

  // A fresh machine (no settings, no calibration): lane B's default runs on the model as it is,
  // and the status says why it is not RotateKV; a model that ships its reorder gets RotateKV's.
  void theDefaultLaneBRunsWithoutCalibration() {
    qs::test::TempDir calib;
    qs::test::ScopedEnv no_calibration("QUANTISCOPE_CALIB_DIR", calib.path());  // an empty calibration folder
    ChatWorkspace chat;
    QVERIFY(open(chat));
    const QString b = chat.kType(1);
    QVERIFY2(!b.isEmpty() && b != "f16", qPrintable(b));
    qs::KvShape shape;
    shape.n_layers = 5, shape.n_heads = 8, shape.n_kv_heads = 4, shape.head_dim = 8, shape.max_tokens = 512;
    QVERIFY2(!qs::kv_cache_needs_reorder(shape, b.toStdString()), qPrintable(b));
    QVERIFY2(chat.statusText().contains("needs no calibration"), qPrintable(chat.statusText()));
    chat.setAbMode(true);
    chat.setMaxTokens(30);
    QSignalSpy done(&chat, &ChatWorkspace::generationFinished);
    chat.setPrompt("Once upon a time");
    chat.send();
    QVERIFY2(done.wait(30000), "the default A/B run did not finish (an error dialog?)");
    QVERIFY2(chat.transcript(1)->lastMessageText().size() > 10, qPrintable(chat.transcript(1)->lastMessageText()));
    qInfo("default lane B on stories260K: %s", qPrintable(b));

    ChatWorkspace ref;
    QSignalSpy ready(&ref, &ChatWorkspace::modelReady);
    ref.openModel(QString::fromStdString(std::string(QS_RESOURCES_DIR) + "/models/qs-ref-llm"));
    QVERIFY(ready.wait(60000));
    QVERIFY2(ref.statusText().contains("channel-reorder.qsreorder"), qPrintable(ref.statusText()));
    qInfo("default lane B on qs-ref-llm: %s", qPrintable(ref.kType(1)));
  }

  void abModeRunsBothCachesAndMarksTheFirstDivergence() {
    ChatWorkspace chat;
    QVERIFY(open(chat));
    chat.setAbMode(true);
    chat.setPreset(0);  // greedy: any difference comes from the cache
    chat.setCacheTypes("f16", "f16", 0);
    chat.setCacheTypes("rotatekv-2", "rotatekv-2", 1);
    chat.setKvOptions("reorder=none", 1);
    chat.setMaxTokens(80);
    QSignalSpy done(&chat, &ChatWorkspace::generationFinished);
    chat.setPrompt("Once upon a time");
    chat.send();
    QVERIFY(done.wait(60000));
    auto* a = chat.transcript(0);
    auto* b = chat.transcript(1);
    QCOMPARE(a->lastRole(), QString("assistant"));
    QCOMPARE(b->lastRole(), QString("assistant"));
    QVERIFY2(a->lastMessageText().size() > 40, qPrintable(a->lastMessageText()));
    QVERIFY2(b->lastMessageText().size() > 40, qPrintable(b->lastMessageText()));
    const std::vector<int> ia = a->lastTokenIds(), ib = b->lastTokenIds();
    size_t first = 0;
    while (first < ia.size() && first < ib.size() && ia[first] == ib[first]) ++first;
    if (ia == ib) {
      QVERIFY(chat.divergenceText().contains("same"));
    } else {
      // Both transcripts mark the same position, and every earlier token agrees.
      QCOMPARE(a->divergence(), first < ia.size() ? int(first) : -1);
      QCOMPARE(b->divergence(), first < ib.size() ? int(first) : -1);
      QVERIFY2(chat.divergenceText().contains(QString("#%1").arg(first + 1)), qPrintable(chat.divergenceText()));
    }
    // Hovering a token shows the probability of the chosen token.
    const QString tip = a->tokenTip(a->messageCount() - 1, 0);
    QVERIFY2(tip.contains("p = 0.") || tip.contains("p = 1.0"), qPrintable(tip));
    qInfo("A: %s", qPrintable(a->lastMessageText().left(120)));
    qInfo("B: %s", qPrintable(b->lastMessageText().left(120)));
    qInfo("%s", qPrintable(chat.divergenceText()));
  }

  void regenerateRepeatsAGreedyReplyAndContinueExtendsIt() {
    ChatWorkspace chat;
    QVERIFY(open(chat));
    chat.setPreset(0);
    chat.setMaxTokens(24);
    QSignalSpy done(&chat, &ChatWorkspace::generationFinished);
    chat.setPrompt("Once upon a time");
    chat.send();
    QVERIFY(done.wait(30000));
    const QString first = chat.transcript()->lastMessageText();
    QVERIFY(chat.statusText().contains("length"));
    chat.regenerate();
    QVERIFY(done.wait(30000));
    QCOMPARE(chat.transcript()->lastMessageText(), first);
    QCOMPARE(chat.transcript()->messageCount(), 2);
    chat.continueReply();
    QVERIFY(done.wait(30000));
    const QString longer = chat.transcript()->lastMessageText();
    QCOMPARE(chat.transcript()->messageCount(), 2);
    QVERIFY2(longer.startsWith(first) && longer.size() > first.size(), qPrintable(longer));
  }

  void conversationsRoundTripThroughJson() {
    qs::test::TempDir dir;
    const QString path = QString::fromStdString(dir.path()) + "/chat.json";
    QString first, divergence, tip, bar;
    {
      ChatWorkspace chat;
      QVERIFY(open(chat));
      chat.setAbMode(true);
      chat.setCacheTypes("q8_0", "q4_0", 1);
      chat.setMaxTokens(16);
      QSignalSpy done(&chat, &ChatWorkspace::generationFinished);
      chat.setPrompt("Tom had a red ball");
      chat.send();
      QVERIFY(done.wait(30000));
      first = chat.transcript(1)->lastMessageText();
      divergence = chat.divergenceText();
      tip = chat.transcript(0)->tokenTip(1, 0);
      bar = chat.findChild<qs::views::ContextBar*>()->text();
      QString error;
      QVERIFY2(chat.saveConversation(path, &error), qPrintable(error));
    }
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray json = f.readAll();
    QVERIFY(json.contains("\"sha256\""));
    QVERIFY(json.contains("\"q4_0\""));
    QVERIFY(json.contains("\"temperature\""));
    ChatWorkspace again;
    QVERIFY(open(again));
    QString error;
    QVERIFY2(again.loadConversation(path, &error), qPrintable(error));
    QCOMPARE(again.transcript(1)->lastMessageText(), first);
    QCOMPARE(again.transcript(1)->messageCount(), 2);
    // Reopened, it keeps what it showed (it lost the divergence mark and showed 0 tokens): the
    // replies' tokens and probabilities, the first divergence, the context length.
    QCOMPARE(again.divergenceText(), divergence);
    QCOMPARE(again.transcript(0)->tokenTip(1, 0), tip);
    const QString used = bar.section(" tokens", 0, 0);  // "N / max"
    QVERIFY2(!used.startsWith("0 ") && again.findChild<qs::views::ContextBar*>()->text().startsWith(used), qPrintable(bar + " vs " + again.findChild<qs::views::ContextBar*>()->text()));
    // Not a conversation: a clear error, nothing replaced.
    const QString bad = QString::fromStdString(dir.write("bad.json", "{\"format\": \"something else\"}"));
    QVERIFY(!again.loadConversation(bad, &error));
    QVERIFY2(error.contains("not a Quantiscope conversation"), qPrintable(error));
    const QString truncated = QString::fromStdString(dir.write("cut.json", json.left(json.size() / 2).toStdString()));
    QVERIFY(!again.loadConversation(truncated, &error));
    QVERIFY2(error.contains("not valid JSON"), qPrintable(error));
    QCOMPARE(again.transcript(1)->lastMessageText(), first);
  }

  void calibratingRotateKvMakesItRunWithoutOptions() {
    qs::test::TempDir dir;
    qputenv("QUANTISCOPE_CALIB_DIR", QByteArray::fromStdString(dir.path()));
    ChatWorkspace chat;
    QVERIFY(open(chat));
    chat.setCacheTypes("rotatekv-2", "rotatekv-2", 0);
    chat.setKvOptions("", 0);
    chat.setMaxTokens(12);
    QSignalSpy calibrated(&chat, &ChatWorkspace::calibrationFinished);
    // GSM8K questions: the calibration text kv-accuracy.md uses, never an evaluation text.
    chat.calibrate(QString::fromStdString(qs::test::asset("eval/gsm8k/test.jsonl")), false);
    QVERIFY(calibrated.wait(120000));
    QVERIFY2(calibrated.last().at(0).toBool(), qPrintable(chat.statusText()));
    QVERIFY(chat.statusText().contains("Calibrated"));
    QSignalSpy done(&chat, &ChatWorkspace::generationFinished);
    chat.setPrompt("Once upon a time");
    chat.send();
    QVERIFY(done.wait(30000));
    QCOMPARE(chat.transcript()->lastRole(), QString("assistant"));  // no "needs a reorder file" error
    QVERIFY(chat.statusText().contains("tok/s"));
    qunsetenv("QUANTISCOPE_CALIB_DIR");
  }

  // A lane that fails in A/B mode keeps the turn (the user's message, an empty reply saying why):
  // after the fix, Regenerate runs both lanes on the same message. Before, the failed lane was
  // left a turn behind and its next run had no user message ("prompt 1 tok").
  void aFailedLaneLeavesNoHalfState() {
    ChatWorkspace chat;
    QVERIFY(open(chat));
    chat.setAbMode(true);
    chat.setPreset(0);
    chat.setMaxTokens(12);
    chat.setCacheTypes("f16", "f16", 0);
    chat.setCacheTypes("q8_0", "q8_0", 1);
    chat.setKvOptions("no-such-option=1", 1);  // lane B's cache cannot be made
    QSignalSpy done(&chat, &ChatWorkspace::generationFinished);
    close_message_boxes_after(1500);
    chat.setPrompt("Once upon a time");
    chat.send();
    QVERIFY(done.wait(30000));
    auto* a = chat.transcript(0);
    auto* b = chat.transcript(1);
    QCOMPARE(a->messageCount(), b->messageCount());
    QVERIFY2(b->messages().back().stats.startsWith("failed"), qPrintable(b->messages().back().stats));
    QCOMPARE(b->messages()[b->messageCount() - 2].text, QString("Once upon a time"));
    chat.setKvOptions("", 1);
    chat.regenerate();
    QVERIFY(done.wait(30000));
    QCOMPARE(a->messageCount(), b->messageCount());
    QVERIFY2(b->lastMessageText().size() > 5, qPrintable(b->lastMessageText()));
    const QRegularExpression length("prompt (\\d+) tok");
    const auto ma = length.match(a->messages().back().stats), mb = length.match(b->messages().back().stats);
    QVERIFY2(ma.hasMatch() && mb.hasMatch(), qPrintable(a->messages().back().stats + " | " + b->messages().back().stats));
    QCOMPARE(mb.captured(1), ma.captured(1));  // B ran on the same prompt as A
    QVERIFY(mb.captured(1).toInt() > 2);
  }

  void badModelFileShowsAnErrorNotACrash() {
    qs::test::TempDir dir;
    QString bad = QString::fromStdString(dir.write("broken.gguf", std::string("GGUF\x03\0\0\0garbage", 15)));
    ChatWorkspace chat;
    close_message_boxes_after(500);
    chat.openModel(bad);
    QTest::qWait(1500);
    QVERIFY(chat.statusText().contains("Could not load"));
  }

  // A long reply is drawn token by token at the end of the document: the window finishes close
  // to the engine's own time (both printed, not asserted).
  void longRepliesStreamWithoutRedrawingTheTranscript() {
    ChatWorkspace chat;
    QVERIFY(open(chat));
    chat.setPreset(0);
    chat.setMaxTokens(1800);
    QSignalSpy done(&chat, &ChatWorkspace::generationFinished);
    QElapsedTimer t;
    t.start();
    chat.setPrompt("Once upon a time");
    chat.send();
    QVERIFY(done.wait(120000));
    const auto& reply = chat.transcript()->messages().back();
    qInfo("1800-token reply: %zu tokens on screen after %lld ms; %s", reply.ids.size(), (long long)t.elapsed(), qPrintable(reply.stats));
    QVERIFY(reply.ids.size() >= 1000);
  }

  // A saved chat of 10,000 messages loads (each message one append to the transcript, not a
  // re-render of all before it); the time is printed, not asserted. Unknown cache types in a
  // conversation file are refused, not shown as f16.
  void largeConversationsLoadAndUnknownCacheTypesAreRefused() {
    ChatWorkspace chat;
    qs::workbench::Conversation c;
    c.lanes[0] = {"f16", "f16", ""};
    c.lanes[1] = {"f16", "f16", ""};
    for (int i = 0; i < 10000; ++i) c.messages[0].push_back({i % 2 ? "assistant" : "user", QString("message %1 with a few words").arg(i), QString()});
    qs::test::TempDir dir;
    auto write = [&dir](const char* name, const qs::workbench::Conversation& conv) {
      const QString p = QString::fromStdString(dir.file(name));
      QFile f(p);
      if (f.open(QIODevice::WriteOnly)) f.write(qs::workbench::conversation_to_json(conv));
      return p;
    };
    const QString path = write("big.json", c);
    QElapsedTimer t;
    t.start();
    QString error;
    QVERIFY2(chat.loadConversation(path, &error), qPrintable(error));
    qInfo("loaded 10,000 messages in %lld ms", (long long)t.elapsed());
    QCOMPARE(chat.transcript()->messageCount(), 10000);
    QCOMPARE(chat.transcript()->messages().back().text, QString("message 9999 with a few words"));
    c.lanes[1] = {"q3_k", "f16", ""};
    c.messages[0].resize(2);
    const QString bad = write("bad.json", c);
    QVERIFY(!chat.loadConversation(bad, &error));
    QVERIFY2(error.contains("'q3_k', which this build does not have"), qPrintable(error));
    QCOMPARE(chat.transcript()->messageCount(), 10000);  // the refused file changed nothing
    // One message of 5 million short lines (a 30 MB file): refused with its size, no allocation spree.
    c.lanes[1] = {"f16", "f16", ""};
    c.messages[0] = {{"user", QString("line\n").repeated(5000000), QString()}};
    const QString huge = write("huge.json", c);
    QVERIFY(!chat.loadConversation(huge, &error));
    QVERIFY2(error.contains("25000000 characters, more than the transcript shows"), qPrintable(error));
  }
};

QTEST_MAIN(ChatWorkspaceTest)
#include "chat_workspace_test.moc"
