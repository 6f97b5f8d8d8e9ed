#include "core/llm/chat/chat_template.h"

#include "core/common/error.h"

namespace qs {
namespace {
struct Named {
  ChatTemplate t;
  const char* name;
};
constexpr Named kNames[] = {{ChatTemplate::kPlain, "plain"},     {ChatTemplate::kLlama2, "llama-2"},
                            {ChatTemplate::kLlama3, "llama-3"},   {ChatTemplate::kChatml, "chatml"},
                            {ChatTemplate::kMistral, "mistral"},  {ChatTemplate::kZephyr, "zephyr"}};

bool has(const std::string& s, const char* needle) { return s.find(needle) != std::string::npos; }
}  // namespace

std::vector<std::string> chat_template_names() {
  std::vector<std::string> out;
  for (const auto& n : kNames) out.push_back(n.name);
  return out;
}

const char* chat_template_name(ChatTemplate t) {
  for (const auto& n : kNames)
    if (n.t == t) return n.name;
  return "plain";
}

ChatTemplate chat_template_from_name(const std::string& name) {
  for (const auto& n : kNames)
    if (name == n.name) return n.t;
  std::string known;
  for (const auto& n : kNames) known += std::string(known.empty() ? "" : ", ") + n.name;
  fail(ErrorKind::kInvalidArgument, "unknown chat template '" + name + "' (known: " + known + ")");
}

ChatTemplate detect_chat_template(const std::string& j) {
  if (j.empty()) return ChatTemplate::kPlain;
  if (has(j, "<|im_start|>")) return ChatTemplate::kChatml;
  if (has(j, "<|start_header_id|>") && has(j, "<|end_header_id|>")) return ChatTemplate::kLlama3;
  if (has(j, "[INST]")) return has(j, "<<SYS>>") ? ChatTemplate::kLlama2 : ChatTemplate::kMistral;
  if (has(j, "<|user|>") && has(j, "<|assistant|>")) return ChatTemplate::kZephyr;
  return ChatTemplate::kPlain;
}

std::string apply_chat_template(ChatTemplate t, const std::vector<ChatMessage>& messages, bool add_assistant_prefix) {
  std::string out;
  switch (t) {
    case ChatTemplate::kPlain: {
      for (const auto& m : messages) {
        if (!out.empty()) out += "\n\n";
        out += m.content;
      }
      return out;  // a completion model continues the text itself
    }
    case ChatTemplate::kChatml:
      for (const auto& m : messages) out += "<|im_start|>" + m.role + "\n" + m.content + "<|im_end|>\n";
      if (add_assistant_prefix) out += "<|im_start|>assistant\n";
      return out;
    case ChatTemplate::kLlama3:
      for (const auto& m : messages) out += "<|start_header_id|>" + m.role + "<|end_header_id|>\n\n" + m.content + "<|eot_id|>";
      if (add_assistant_prefix) out += "<|start_header_id|>assistant<|end_header_id|>\n\n";
      return out;
    case ChatTemplate::kZephyr:
      for (const auto& m : messages) out += "<|" + m.role + "|>\n" + m.content + "</s>\n";
      if (add_assistant_prefix) out += "<|assistant|>\n";
      return out;
    case ChatTemplate::kLlama2:
    case ChatTemplate::kMistral: {
      // llama-2 puts the system prompt in <<SYS>> inside the first [INST]; mistral prepends it
      // to the first user message. Turns after the first start with a fresh BOS in llama-2.
      std::string system;
      bool first_user = true;
      for (const auto& m : messages) {
        if (m.role == "system") {
          system = m.content;
        } else if (m.role == "user") {
          std::string content = m.content;
          if (first_user && !system.empty())
            content = t == ChatTemplate::kLlama2 ? "<<SYS>>\n" + system + "\n<</SYS>>\n\n" + content : system + "\n\n" + content;
          if (!first_user && t == ChatTemplate::kLlama2) out += "<s>";
          out += "[INST] " + content + " [/INST]";
          first_user = false;
        } else {
          out += (t == ChatTemplate::kLlama2 ? " " : "") + m.content + "</s>";
        }
      }
      return out;
    }
  }
  return out;
}

}  // namespace qs
