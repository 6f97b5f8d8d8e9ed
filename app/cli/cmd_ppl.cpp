// quantiscope ppl and kld: perplexity over a text file in non-overlapping windows, optionally
// saving full-precision log-probabilities; kld compares a run against such a reference.
#include <iomanip>
#include <iostream>

#include "app/cli/commands.h"
#include "app/cli/console.h"
#include "app/cli/signals.h"
#include "core/common/error.h"
#include "core/common/file_bytes.h"
#include "core/llm/eval/logit_file.h"
#include "core/llm/eval/perplexity.h"
#include "core/llm/tokenizer/tokenizer.h"

namespace qs::cli {
namespace {

const std::set<std::string> kEvalOptions = {"--file", "--doc-sep", "--max-windows", "--protocol", "--save-logits", "--reference"};

PerplexityOptions eval_options(const Args& a, const LoadedModel& m) {
  PerplexityOptions o;
  o.kv_options = kv_options_from_args(a, m);
  o.ctx = a.get_ll("--ctx", 256);
  o.max_windows = a.get_ll("--max-windows", 0);
  o.k_type = k_type_from_args(a);
  o.v_type = v_type_from_args(a);
  o.protocol = eval_protocol_from_name(a.get("--protocol", "prefill"));
  return o;
}

}  // namespace

int cmd_ppl(int argc, char** argv) {
  Args a(argc, argv, 2, merge({kModelOptions, kEvalOptions}), {"--force"}, kAliases);
  if (!a.has("--file")) fail(ErrorKind::kInvalidArgument, "--file TEXT is required");
  auto m = load_model_from_args(a);
  Transformer model(*m);
  std::vector<int32_t> tokens = tokenize_corpus(*m->tokenizer, read_text_file(a.get("--file")), a.get("--doc-sep"));
  PerplexityOptions o = eval_options(a, *m);
  std::unique_ptr<LogitWriter> writer;
  if (a.has("--save-logits")) writer = std::make_unique<LogitWriter>(a.get("--save-logits"), m->config.vocab, o.ctx, a.flag("--force"));
  CancelToken cancel;
  install_interrupt(cancel);
  std::cerr << "tokens: " << tokens.size() << ", windows of " << o.ctx << ", cache " << o.k_type << "/" << o.v_type << "\n";
  PerplexityResult r = perplexity(model, tokens, o, progress_printer("windows"), cancel,
                                  writer ? WindowLogProbSink([&](const std::vector<int32_t>& w, const at::Tensor& lp) { writer->add(w, lp); }) : nullptr);
  if (writer) writer->finish();
  std::cerr << "windows: " << r.windows << ", " << r.seconds << " s\n";
  std::cout << std::setprecision(6) << "ppl=" << r.ppl() << " nll=" << r.mean_nll() << " tokens=" << r.count << "\n";
  return 0;
}

int cmd_kld(int argc, char** argv) {
  Args a(argc, argv, 2, merge({kModelOptions, kEvalOptions}), {}, kAliases);
  if (!a.has("--file") || !a.has("--reference")) fail(ErrorKind::kInvalidArgument, "--file TEXT and --reference LOGITS are required");
  LogitReference ref(a.get("--reference"));
  auto m = load_model_from_args(a);
  Transformer model(*m);
  std::vector<int32_t> tokens = tokenize_corpus(*m->tokenizer, read_text_file(a.get("--file")), a.get("--doc-sep"));
  PerplexityOptions o = eval_options(a, *m);
  if (!a.has("--ctx")) o.ctx = ref.ctx();
  if (o.ctx != ref.ctx()) fail(ErrorKind::kInvalidArgument, "--ctx " + std::to_string(o.ctx) + " differs from the reference's " + std::to_string(ref.ctx()));
  if (o.max_windows == 0 || o.max_windows > ref.windows()) o.max_windows = ref.windows();
  KldStats stats;
  int64_t index = 0;
  CancelToken cancel;
  install_interrupt(cancel);
  PerplexityResult r = perplexity(model, tokens, o, progress_printer("windows"), cancel, [&](const std::vector<int32_t>& w, const at::Tensor& lp) { ref.compare(index++, w, lp, &stats); });
  std::cout << std::setprecision(6) << "cache " << o.k_type << "/" << o.v_type << "\n"
            << "positions: " << stats.positions << "\n"
            << "mean KLD:  " << stats.mean_kld() << "\n"
            << "median:    " << stats.quantile(0.5) << "\n"
            << "p99:       " << stats.quantile(0.99) << "\n"
            << "max:       " << stats.quantile(1.0) << "\n"
            << "top-1 agreement: " << 100.0 * stats.top1_rate() << " %\n"
            << "kld=" << stats.mean_kld() << " top1=" << stats.top1_rate() << " ppl=" << r.ppl() << " nll=" << r.mean_nll() << " tokens=" << r.count << "\n";
  return 0;
}

}  // namespace qs::cli
