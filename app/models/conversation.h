// A saved conversation: what was said on each lane (A, and B in A/B mode) and everything needed
// to judge or repeat it: the model's file hash, the cache configuration per lane and the
// sampling settings. Stored as JSON; reading checks every field and says which is wrong.
#pragma once
#include <QString>
#include <vector>

namespace qs::workbench {

struct ConversationMessage {
  QString role, content, stats;
  // A reply's tokens as generated (id, text piece, probability of the chosen token): a reopened
  // A/B chat marks its divergence and shows token probabilities again. Empty for typed messages.
  std::vector<int> ids;
  std::vector<QString> pieces;
  std::vector<float> probabilities;
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
  long long context_tokens = 0;  // lane A's cache length after the last reply (the context bar)
};

QByteArray conversation_to_json(const Conversation& c);
// Returns false and sets `error` (naming the field) for anything that is not a conversation.
bool conversation_from_json(const QByteArray& json, Conversation* out, QString* error);

}  // namespace qs::workbench
