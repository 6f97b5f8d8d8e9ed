// The workbench's conversation JSON (app/models/conversation.h) on arbitrary bytes: a refusal
// sets a message; an accepted conversation survives a write and a second read unchanged.
#include <QByteArray>
#include <QString>

#include "app/models/conversation.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace qs::workbench;
  Conversation c;
  QString error;
  if (!conversation_from_json(QByteArray(reinterpret_cast<const char*>(data), int(size)), &c, &error)) {
    if (error.isEmpty()) __builtin_trap();
    return 0;
  }
  Conversation again;
  if (!conversation_from_json(conversation_to_json(c), &again, &error)) __builtin_trap();
  if (conversation_to_json(again) != conversation_to_json(c)) __builtin_trap();
  return 0;
}
