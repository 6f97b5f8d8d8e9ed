#include "app/models/conversation.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace qs::workbench {
namespace {
constexpr const char* kFormat = "quantiscope-conversation";
constexpr int kVersion = 1;

QJsonObject lane_json(const LaneConfig& l) { return {{"k_type", l.k_type}, {"v_type", l.v_type}, {"kv_options", l.kv_options}}; }

QJsonArray messages_json(const std::vector<ConversationMessage>& ms) {
  QJsonArray a;
  for (const auto& m : ms) {
    QJsonObject o{{"role", m.role}, {"content", m.content}, {"stats", m.stats}};
    if (!m.ids.empty()) {
      QJsonArray ids, pieces, probs;
      for (size_t i = 0; i < m.ids.size(); ++i) ids.append(m.ids[i]), pieces.append(m.pieces[i]), probs.append(double(m.probabilities[i]));
      o["tokens"] = QJsonObject{{"ids", ids}, {"pieces", pieces}, {"probabilities", probs}};
    }
    a.append(o);
  }
  return a;
}

// A message's optional "tokens": three arrays of one length, ids >= 0, probabilities in [0, 1].
bool read_tokens(const QJsonObject& m, ConversationMessage* out, QString* error) {
  if (!m.contains("tokens")) return true;
  const QJsonObject t = m.value("tokens").toObject();
  const QJsonArray ids = t.value("ids").toArray(), pieces = t.value("pieces").toArray(), probs = t.value("probabilities").toArray();
  if (ids.size() != pieces.size() || ids.size() != probs.size()) {
    *error = QObject::tr("message: 'tokens' needs ids, pieces and probabilities of one length");
    return false;
  }
  for (qsizetype i = 0; i < ids.size(); ++i) {
    const double id = ids[i].toDouble(-1), p = probs[i].toDouble(-1);
    if (!ids[i].isDouble() || id < 0 || id != double(int(id)) || !pieces[i].isString() || !(p >= 0 && p <= 1)) {
      *error = QObject::tr("message: token %1 is not an id >= 0, a text piece and a probability in [0, 1]").arg(i);
      return false;
    }
    out->ids.push_back(int(id));
    out->pieces.push_back(pieces[i].toString());
    out->probabilities.push_back(float(p));
  }
  return true;
}

bool need(const QJsonObject& o, const char* key, QJsonValue::Type type, const QString& where, QString* error) {
  if (o.value(key).type() == type) return true;
  *error = QObject::tr("%1: '%2' is missing or has the wrong type").arg(where, key);
  return false;
}
}  // namespace

QByteArray conversation_to_json(const Conversation& c) {
  QJsonObject root{{"format", kFormat},
                   {"version", kVersion},
                   {"model", QJsonObject{{"path", c.model_path}, {"sha256", c.model_sha256}}},
                   {"ab_mode", c.ab_mode},
                   {"cache", QJsonArray{lane_json(c.lanes[0]), lane_json(c.lanes[1])}},
                   {"sampling", QJsonObject{{"preset", c.preset},
                                            {"temperature", c.temperature},
                                            {"top_k", c.top_k},
                                            {"top_p", c.top_p},
                                            {"max_tokens", c.max_tokens},
                                            {"seed", QString::number(c.seed)},
                                            {"template", c.chat_template},
                                            {"system", c.system_prompt}}},
                   {"lanes", QJsonArray{messages_json(c.messages[0]), messages_json(c.messages[1])}},
                   {"context_tokens", double(c.context_tokens)}};
  return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

bool conversation_from_json(const QByteArray& json, Conversation* out, QString* error) {
  QJsonParseError pe;
  const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
  if (pe.error != QJsonParseError::NoError) {
    *error = QObject::tr("not valid JSON: %1 at byte %2").arg(pe.errorString()).arg(pe.offset);
    return false;
  }
  const QJsonObject root = doc.object();
  if (root.value("format").toString() != kFormat) {
    *error = QObject::tr("not a Quantiscope conversation (format is not '%1')").arg(kFormat);
    return false;
  }
  if (root.value("version").toInt() != kVersion) {
    *error = QObject::tr("conversation version %1 is not supported (expected %2)").arg(root.value("version").toInt()).arg(kVersion);
    return false;
  }
  Conversation c;
  if (!need(root, "model", QJsonValue::Object, "conversation", error) || !need(root, "cache", QJsonValue::Array, "conversation", error) ||
      !need(root, "sampling", QJsonValue::Object, "conversation", error) || !need(root, "lanes", QJsonValue::Array, "conversation", error))
    return false;
  const QJsonObject model = root.value("model").toObject();
  c.model_path = model.value("path").toString();
  c.model_sha256 = model.value("sha256").toString();
  c.ab_mode = root.value("ab_mode").toBool();
  c.context_tokens = (long long)root.value("context_tokens").toDouble(0);
  if (c.context_tokens < 0) {
    *error = QObject::tr("conversation: 'context_tokens' must not be negative");
    return false;
  }
  const QJsonArray cache = root.value("cache").toArray(), lanes = root.value("lanes").toArray();
  if (cache.size() != 2 || lanes.size() != 2) {
    *error = QObject::tr("conversation: 'cache' and 'lanes' must hold two entries (A and B)");
    return false;
  }
  for (int i = 0; i < 2; ++i) {
    const QJsonObject l = cache[i].toObject();
    if (!need(l, "k_type", QJsonValue::String, "cache", error) || !need(l, "v_type", QJsonValue::String, "cache", error)) return false;
    c.lanes[i] = {l.value("k_type").toString(), l.value("v_type").toString(), l.value("kv_options").toString()};
    for (const QJsonValue& v : lanes[i].toArray()) {
      const QJsonObject m = v.toObject();
      if (!need(m, "role", QJsonValue::String, "message", error) || !need(m, "content", QJsonValue::String, "message", error)) return false;
      const QString role = m.value("role").toString();
      if (role != "user" && role != "assistant" && role != "system") {
        *error = QObject::tr("message: unknown role '%1'").arg(role);
        return false;
      }
      ConversationMessage message{role, m.value("content").toString(), m.value("stats").toString(), {}, {}, {}};
      if (!read_tokens(m, &message, error)) return false;
      c.messages[i].push_back(std::move(message));
    }
  }
  const QJsonObject s = root.value("sampling").toObject();
  c.preset = s.value("preset").toString();
  c.temperature = s.value("temperature").toDouble(0);
  c.top_k = s.value("top_k").toInt(1);
  c.top_p = s.value("top_p").toDouble(1);
  c.max_tokens = s.value("max_tokens").toInt(200);
  c.seed = s.value("seed").toString().toULongLong();
  c.chat_template = s.value("template").toString();
  c.system_prompt = s.value("system").toString();
  if (c.temperature < 0 || c.top_p <= 0 || c.top_p > 1 || c.top_k < 0 || c.max_tokens < 1) {
    *error = QObject::tr("sampling: a value is out of range (temperature >= 0, 0 < top_p <= 1, top_k >= 0, max_tokens >= 1)");
    return false;
  }
  *out = c;
  return true;
}

}  // namespace qs::workbench
