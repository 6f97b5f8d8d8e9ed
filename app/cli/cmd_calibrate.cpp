// quantiscope calibrate: RotateKV's channel-reorder file for one model, from calibration text
// that must not be the evaluation text.
#include <filesystem>
#include <iostream>

#include "app/cli/commands.h"
#include "app/cli/console.h"
#include "app/cli/signals.h"
#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/common/file_bytes.h"
#include "core/common/output_guard.h"
#include "core/llm/calibrate/reorder_calibration.h"
#include "core/llm/eval/perplexity.h"
#include "core/llm/tokenizer/tokenizer.h"

namespace qs::cli {

int cmd_calibrate(int argc, char** argv) {
  Args a(argc, argv, 2, merge({kModelOptions, {"--data", "--tokens", "--doc-sep", "--out"}}), {"--force"}, kAliases);
  if (!a.has("--data")) fail(ErrorKind::kInvalidArgument, "--data TEXT (calibration text, not your evaluation text) is required");
  auto m = load_model_from_args(a);
  Transformer model(*m);
  const std::string out = a.has("--out") ? a.get("--out") : default_reorder_path(m->file_hash());
  ensure_may_write(out, a.flag("--force"));  // before the work
  std::vector<int32_t> tokens = tokenize_text_file(*m->tokenizer, a.get("--data"), a.get("--doc-sep"));
  CalibrationOptions o;
  o.max_tokens = a.get_ll("--tokens", 0);
  o.ctx = a.get_ll("--ctx", std::min<int64_t>(512, m->config.context_length));
  o.source = std::filesystem::path(a.get("--data")).filename().string();
  CancelToken cancel;
  install_interrupt(cancel);
  ChannelReorder r = calibrate_channel_reorder(model, tokens, o, progress_printer("windows"), cancel);
  create_parent_folders(out);
  write_channel_reorder(out, r, a.flag("--force"));
  std::cout << "wrote " << out << "\n"
            << "model sha256 " << r.model_hash << "\n"
            << "calibration: " << r.tokens << " tokens of " << r.source << ", " << r.n_layers << " layers x " << r.n_kv_heads * r.head_dim
            << " channels, Hadamard over " << r.head_group << " KV head(s) of " << r.head_dim << "\n";
  return 0;
}

}  // namespace qs::cli
