// Chat templates by name (llama-2, llama-3, chatml, mistral, zephyr, plain), detected from a
// Jinja template string by the substrings llama.cpp looks for. We format the few fixed layouts
// ourselves rather than run Jinja.
#pragma once
#include <string>
#include <vector>

namespace qs {

struct ChatMessage {
  std::string role;  // "system", "user", "assistant"
  std::string content;
};

enum class ChatTemplate { kPlain, kLlama2, kLlama3, kChatml, kMistral, kZephyr };

std::vector<std::string> chat_template_names();
const char* chat_template_name(ChatTemplate t);
// Throws Error(kInvalidArgument) for an unknown name.
ChatTemplate chat_template_from_name(const std::string& name);
// From a model's Jinja template text (GGUF tokenizer.chat_template or tokenizer_config.json);
// an empty or unrecognised text gives kPlain.
ChatTemplate detect_chat_template(const std::string& jinja);

// The prompt text for the conversation so far, ending where the assistant's reply begins when
// add_assistant_prefix ("plain" joins the contents with blank lines and lets the model continue
// the text, for completion models such as stories260K). BOS is not included (the tokenizer adds
// it); special tokens appear as text and must be encoded with parse_special.
std::string apply_chat_template(ChatTemplate t, const std::vector<ChatMessage>& messages, bool add_assistant_prefix);

}  // namespace qs
