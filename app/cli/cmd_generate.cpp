// quantiscope generate: stdout carries exactly the prompt followed by the generated text;
// logs and timings go to stderr.
#include <iostream>

#include "app/cli/commands.h"
#include "app/cli/signals.h"
#include "core/llm/generate/generator.h"
#include "core/llm/tokenizer/tokenizer.h"

namespace qs::cli {

int cmd_generate(int argc, char** argv) {
  Args a(argc, argv, 2, merge({kModelOptions, kSamplingOptions, {"--prompt", "--n-predict", "--stop"}}), {"--no-bos", "--ignore-eos"}, kAliases);
  auto m = load_model_from_args(a);
  Transformer model(*m);
  const std::string prompt = a.get("--prompt");
  const Tokenizer& tok = *m->tokenizer;
  std::vector<int32_t> ids = tok.encode(prompt, !a.flag("--no-bos"), false);
  int64_t ctx = a.get_ll("--ctx", m->config.context_length);
  GenerateOptions o;
  o.max_new_tokens = int(a.get_ll_in("--n-predict", 128, 0, 1 << 24));
  o.sampling = sampling_from_args(a);
  o.stop_strings = a.all("--stop");
  o.stop_at_end_of_generation = !a.flag("--ignore-eos");
  Generator gen(model, model.make_cache(k_type_from_args(a), v_type_from_args(a), std::min<int64_t>(ctx, m->config.context_length), 1, kv_options_from_args(a, *m)));
  CancelToken cancel;
  install_interrupt(cancel);
  std::cout << prompt << std::flush;
  GenerateResult r = gen.generate(ids, o, [](const TokenEvent& e) { std::cout << e.text << std::flush; }, cancel);
  std::cout << "\n" << std::flush;
  const auto& t = r.timings;
  std::cerr << "prompt: " << t.prompt_tokens << " tokens, " << t.prompt_tokens_per_second() << " tok/s; generated: " << t.generated_tokens
            << " tokens, " << t.generation_tokens_per_second() << " tok/s; time to first token " << t.time_to_first_token * 1000
            << " ms; stop: " << r.stop_reason << "\n";
  return r.stop_reason == "cancelled" ? 130 : 0;
}

}  // namespace qs::cli
