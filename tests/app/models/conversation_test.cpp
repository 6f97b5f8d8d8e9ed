// Conversation JSON: what is saved comes back, and anything else is refused naming the problem.
#include <QTest>

#include "app/models/conversation.h"

using qs::workbench::Conversation;

class ConversationTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void roundTrips() {
    Conversation c;
    c.model_path = "/m/stories260K.gguf";
    c.model_sha256 = QString(64, 'a');
    c.ab_mode = true;
    c.lanes[1] = {"rotatekv-2", "kivi-2", "reorder=none"};
    c.temperature = 0.7;
    c.top_k = 40;
    c.top_p = 0.9;
    c.max_tokens = 321;
    c.seed = 18446744073709551615ull;  // the full 64-bit range survives (stored as text)
    c.system_prompt = "Be brief.";
    c.messages[0] = {{"user", "Hi \"there\"\n", "", {}, {}, {}}, {"assistant", "Hello ✓", "3 tokens", {15043, 29871, 2}, {"Hello", " ✓", ""}, {0.5f, 0.25f, 1.f}}};
    c.messages[1] = {{"user", "Hi", "", {}, {}, {}}};
    c.context_tokens = 42;
    Conversation back;
    QString error;
    QVERIFY2(qs::workbench::conversation_from_json(qs::workbench::conversation_to_json(c), &back, &error), qPrintable(error));
    QCOMPARE(back.model_sha256, c.model_sha256);
    QCOMPARE(back.ab_mode, true);
    QCOMPARE(back.lanes[1].k_type, QString("rotatekv-2"));
    QCOMPARE(back.lanes[1].v_type, QString("kivi-2"));
    QCOMPARE(back.lanes[1].kv_options, QString("reorder=none"));
    QCOMPARE(back.seed, c.seed);
    QCOMPARE(back.max_tokens, 321);
    QCOMPARE(back.messages[0].size(), size_t(2));
    QCOMPARE(back.messages[0][0].content, QString("Hi \"there\"\n"));
    QCOMPARE(back.messages[0][1].stats, QString("3 tokens"));
    QCOMPARE(back.messages[1].size(), size_t(1));
    QCOMPARE(back.messages[0][1].ids, (std::vector<int>{15043, 29871, 2}));
    QCOMPARE(back.messages[0][1].pieces[1], QString(" ✓"));
    QCOMPARE(back.messages[0][1].probabilities[1], 0.25f);
    QVERIFY(back.messages[0][0].ids.empty());
    QCOMPARE(back.context_tokens, 42LL);
  }

  void refusesWhatIsNotAConversation_data() {
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("says");
    const QByteArray ok = qs::workbench::conversation_to_json(Conversation());
    QTest::newRow("empty") << QByteArray() << "not valid JSON";
    QTest::newRow("truncated") << ok.left(ok.size() / 2) << "not valid JSON";
    QTest::newRow("array") << QByteArray("[1,2]") << "not a Quantiscope conversation";
    QTest::newRow("other format") << QByteArray(R"({"format":"x"})") << "not a Quantiscope conversation";
    QByteArray v2 = ok;
    v2.replace("\"version\": 1", "\"version\": 2");
    QTest::newRow("future version") << v2 << "version 2";
    QByteArray lanes = ok;
    lanes.replace("\"lanes\"", "\"lanez\"");
    QTest::newRow("no lanes") << lanes << "'lanes'";
    QTest::newRow("one lane") << QByteArray(R"({"format":"quantiscope-conversation","version":1,"model":{},"sampling":{},"cache":[{"k_type":"f16","v_type":"f16"}],"lanes":[[]]})")
                              << "two entries";
    QTest::newRow("bad role") << QByteArray(R"({"format":"quantiscope-conversation","version":1,"model":{},"sampling":{},"cache":[{"k_type":"f16","v_type":"f16"},{"k_type":"f16","v_type":"f16"}],"lanes":[[{"role":"root","content":"x"}],[]]})")
                              << "unknown role 'root'";
    QTest::newRow("content not text") << QByteArray(R"({"format":"quantiscope-conversation","version":1,"model":{},"sampling":{},"cache":[{"k_type":"f16","v_type":"f16"},{"k_type":"f16","v_type":"f16"}],"lanes":[[{"role":"user","content":5}],[]]})")
                                      << "'content'";
    const QByteArray head = R"({"format":"quantiscope-conversation","version":1,"model":{},"sampling":{},"cache":[{"k_type":"f16","v_type":"f16"},{"k_type":"f16","v_type":"f16"}],"lanes":[[{"role":"assistant","content":"x","tokens":)";
    QTest::newRow("tokens of unequal lengths") << head + R"({"ids":[1,2],"pieces":["a"],"probabilities":[0.5,0.5]}}],[]]})" << "one length";
    QTest::newRow("negative token id") << head + R"({"ids":[-3],"pieces":["a"],"probabilities":[0.5]}}],[]]})" << "token 0";
    QTest::newRow("probability above 1") << head + R"({"ids":[3],"pieces":["a"],"probabilities":[7]}}],[]]})" << "token 0";
    QTest::newRow("negative temperature") << QByteArray(R"({"format":"quantiscope-conversation","version":1,"model":{},"sampling":{"temperature":-1},"cache":[{"k_type":"f16","v_type":"f16"},{"k_type":"f16","v_type":"f16"}],"lanes":[[],[]]})")
                                          << "out of range";
  }

  void refusesWhatIsNotAConversation() {
    QFETCH(QByteArray, json);
    QFETCH(QString, says);
    Conversation out;
    out.model_path = "untouched";
    QString error;
    QVERIFY(!qs::workbench::conversation_from_json(json, &out, &error));
    QVERIFY2(error.contains(says), qPrintable(error));
    QCOMPARE(out.model_path, QString("untouched"));
  }
};

QTEST_MAIN(ConversationTest)
#include "conversation_test.moc"
