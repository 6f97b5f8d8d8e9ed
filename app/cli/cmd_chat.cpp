// quantiscope chat: an interactive conversation with the model's chat template; Ctrl-C stops
// the reply in progress, Ctrl-D (or /exit) leaves.
#include <csignal>
#include <iostream>

#include "app/cli/commands.h"
#include "app/cli/signals.h"
#include "core/llm/chat/chat_template.h"
#include "core/llm/generate/generator.h"
#include "core/llm/tokenizer/tokenizer.h"

namespace qs::cli {

int cmd_chat(int argc, char** argv) {
  Args a(argc, argv, 2, merge({kModelOptions, kSamplingOptions, {"--n-predict", "--system", "--template"}}), {}, kAliases);
  auto m = load_model_from_args(a);
  Transformer model(*m);
  ChatTemplate tmpl = a.has("--template") ? chat_template_from_name(a.get("--template")) : detect_chat_template(m->chat_template);
  GenerateOptions o;
  o.max_new_tokens = int(a.get_ll_in("--n-predict", 256, 0, 1 << 24));
  o.sampling = sampling_from_args(a);
  int64_t ctx = std::min<int64_t>(a.get_ll("--ctx", m->config.context_length), m->config.context_length);
  Generator gen(model, model.make_cache(k_type_from_args(a), v_type_from_args(a), ctx, 1, kv_options_from_args(a, *m)));
  std::vector<ChatMessage> history;
  if (a.has("--system")) history.push_back({"system", a.get("--system")});
  std::cerr << "chat with " << m->path << " (template " << chat_template_name(tmpl) << "); Ctrl-C stops a reply, Ctrl-D leaves\n";
  std::string line;
  while (true) {
    std::cerr << "> " << std::flush;
    if (!std::getline(std::cin, line) || line == "/exit") break;
    if (line.empty()) continue;
    history.push_back({"user", line});
    std::string prompt = apply_chat_template(tmpl, history, true);
    std::vector<int32_t> ids = m->tokenizer->encode(prompt, true, true);
    CancelToken cancel;
    install_interrupt(cancel);
    GenerateResult r;
    try {
      r = gen.generate(ids, o, [](const TokenEvent& e) { std::cout << e.text << std::flush; }, cancel);
    } catch (const Error& e) {
      std::cerr << "\nerror: " << e.what() << "\n";
      history.pop_back();
      continue;
    }
    std::cout << "\n";
    std::cerr << "[" << r.timings.generated_tokens << " tokens, " << r.timings.generation_tokens_per_second() << " tok/s, " << r.stop_reason << "]\n";
    history.push_back({"assistant", r.text});
    std::signal(SIGINT, SIG_DFL);
  }
  return 0;
}

}  // namespace qs::cli
