#include "core/llm/chat/chat_template.h"

#include <gtest/gtest.h>

#include "core/common/error.h"

namespace qs {
namespace {

TEST(ChatTemplate, DetectsFromJinjaLikeLlamaCpp) {
  EXPECT_EQ(detect_chat_template("{% for m in messages %}<|im_start|>{{m.role}}"), ChatTemplate::kChatml);
  EXPECT_EQ(detect_chat_template("<|start_header_id|>' + role + '<|end_header_id|>"), ChatTemplate::kLlama3);
  EXPECT_EQ(detect_chat_template("[INST] <<SYS>>\\n' + system + '\\n<</SYS>>"), ChatTemplate::kLlama2);
  EXPECT_EQ(detect_chat_template("{{ '[INST] ' + message['content'] + ' [/INST]' }}"), ChatTemplate::kMistral);
  EXPECT_EQ(detect_chat_template("<|user|>\n{{ content }}</s>\n<|assistant|>"), ChatTemplate::kZephyr);
  EXPECT_EQ(detect_chat_template(""), ChatTemplate::kPlain);
}

TEST(ChatTemplate, NamesRoundTripAndUnknownIsAnError) {
  for (const auto& n : chat_template_names()) EXPECT_EQ(chat_template_name(chat_template_from_name(n)), n);
  EXPECT_THROW(chat_template_from_name("vicuna-9"), Error);
}

TEST(ChatTemplate, FormatsEachLayout) {
  std::vector<ChatMessage> m = {{"system", "Be brief."}, {"user", "Hi"}, {"assistant", "Hello."}, {"user", "Bye"}};
  EXPECT_EQ(apply_chat_template(ChatTemplate::kChatml, m, true),
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello.<|im_end|>\n"
            "<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n");
  EXPECT_EQ(apply_chat_template(ChatTemplate::kLlama2, m, true),
            "[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello.</s><s>[INST] Bye [/INST]");
  EXPECT_EQ(apply_chat_template(ChatTemplate::kMistral, m, true), "[INST] Be brief.\n\nHi [/INST]Hello.</s>[INST] Bye [/INST]");
  std::string l3 = apply_chat_template(ChatTemplate::kLlama3, {{"user", "Hi"}}, true);
  EXPECT_EQ(l3, "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
  EXPECT_EQ(apply_chat_template(ChatTemplate::kZephyr, {{"user", "Hi"}}, true), "<|user|>\nHi</s>\n<|assistant|>\n");
  EXPECT_EQ(apply_chat_template(ChatTemplate::kPlain, {{"user", "Once upon a time"}}, false), "Once upon a time");
}

}  // namespace
}  // namespace qs
