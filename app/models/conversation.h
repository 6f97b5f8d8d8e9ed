// A saved conversation: what was said on each lane (A, and B in A/B mode) and everything needed
// to judge or repeat it: the model's file hash, the cache configuration per lane and the
// sampling settings. Stored as JSON; reading checks every field and says which is wrong.
#pragma once
#include <QString>
#include <vector>

namespace qs::workbench {

struct ConversationMessage {
  QString role, content, stats;
};

struct LaneConfig {
  QString k_type = "f32", v_type = "f32", kv_options;
};

struct Conversation {
  QString model_path, model_sha256;
  bool ab_mode = false;
  LaneConfig lanes[2];
  QString preset, chat_template, system_prompt;
  double temperature = 0, top_p = 1;
  int top_k = 1, max_tokens = 200;
  qulonglong seed = 0;
  std::vector<ConversationMessage> messages[2];
};

QByteArray conversation_to_json(const Conversation& c);
// Returns false and sets `error` (naming the field) for anything that is not a conversation.
bool conversation_from_json(const QByteArray& json, Conversation* out, QString* error);

}  // namespace qs::workbench
