// quantiscope train-lm: trains a Llama-architecture model from scratch on a text file (the
// project's corpus, never the evaluation texts), writing a resumable checkpoint, the loss curve
// as CSV and, at the end, a Hugging Face folder the runtime loads.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "app/cli/commands.h"
#include "app/cli/console.h"
#include "app/cli/signals.h"
#include "core/common/atomic_file.h"
#include "core/common/cancel.h"
#include "core/common/device.h"
#include "core/common/error.h"
#include "core/common/file_bytes.h"
#include "core/llm/eval/perplexity.h"
#include "core/llm/tokenizer/tokenizer.h"
#include "core/llm/tokenizer/vocab_loaders.h"
#include "core/llm/train/hf_export.h"
#include "core/llm/train/corpus_check.h"
#include "core/llm/train/lm_trainer.h"

namespace qs::cli {

int cmd_train_lm(int argc, char** argv) {
  Args a(argc, argv, 2,
         {"--data", "--tokenizer", "--out", "--preset", "--steps", "--batch", "--seq", "--accum", "--lr", "--min-lr", "--warmup", "--weight-decay", "--clip",
          "--seed", "--device", "--heldout", "--eval-every", "--ckpt-every", "--export-dtype", "--max-minutes"},
         {"--resume", "--force", "--bf16"}, {});
  if (!a.has("--data") || !a.has("--tokenizer") || !a.has("--out"))
    fail(ErrorKind::kInvalidArgument, "train-lm needs --data TEXT (the training corpus, not an evaluation text), --tokenizer tokenizer.model and --out DIR");
  const std::string out = a.get("--out"), ckpt = out + "/checkpoint.pt", curve = out + "/loss.csv";
  TrainOptions o;
  o.steps = a.get_ll_in("--steps", 200, 1, 100000000);
  o.batch = a.get_ll_in("--batch", 8, 1, 4096);
  o.seq_len = a.get_ll_in("--seq", 128, 2, 1 << 20);
  o.accum = a.get_ll_in("--accum", 1, 1, 4096);
  o.warmup = a.get_ll_in("--warmup", std::min<int64_t>(100, o.steps / 10), 0, o.steps);
  o.lr = a.get_double_in("--lr", 8e-4, 1e-9, 10);
  o.min_lr = a.get_double_in("--min-lr", o.lr / 10, 0, o.lr);
  o.weight_decay = a.get_double_in("--weight-decay", 0.4, 0, 10);
  o.clip = a.get_double_in("--clip", 1.0, 1e-6, 1e9);
  o.seed = uint64_t(a.get_ll_in("--seed", 1, 0, int64_t(1) << 62));
  o.device = parse_device(a.get("--device", "cpu"));
  o.bf16 = a.flag("--bf16");
  const std::string export_dtype = a.get("--export-dtype", "f32");
  if (export_dtype != "f32" && export_dtype != "bf16") fail(ErrorKind::kInvalidArgument, "--export-dtype " + export_dtype + ": expected f32 or bf16");
  // A wall-clock budget (a GPU call's limit): the run stops after the step that passes it, with
  // its checkpoint and its export, and says so.
  const double max_minutes = a.get_double_in("--max-minutes", 1e9, 0.01, 1e9);
  const int64_t eval_every = a.get_ll_in("--eval-every", 50, 1, 100000000), ckpt_every = a.get_ll_in("--ckpt-every", 100, 1, 100000000);
  if (!a.flag("--resume") && std::filesystem::exists(ckpt) && !a.flag("--force"))
    fail(ErrorKind::kInvalidArgument, "'" + ckpt + "' exists: pass --resume to continue it or --force to start over");
  create_parent_folders(ckpt);
  check_writable_target(curve, true);

  auto tok = tokenizer_from_spm_model(a.get("--tokenizer"));
  auto read_corpus = [&](const std::string& path) {
    const std::string text = read_text_file(path);
    require_text_corpus(text, "'" + path + "'");
    return tokenize_corpus(*tok, text, "");
  };
  std::vector<int32_t> train = read_corpus(a.get("--data"));
  std::vector<int32_t> heldout;
  if (a.has("--heldout")) heldout = read_corpus(a.get("--heldout"));
  const ModelConfig config = lm_preset(a.get("--preset", "tiny"), tok->n_vocab());
  std::cout << "train-lm: " << config.parameter_count() << " parameters, " << train.size() << " training tokens, " << heldout.size() << " held-out\n";
  LmTrainer t(config, o, std::move(train), tok->bos());
  if (a.flag("--resume") && std::filesystem::exists(ckpt)) {
    t.load_checkpoint(ckpt);
    std::cout << "resumed at step " << t.steps_done() << " from " << ckpt << "\n";
  }
  std::string csv = "step,lr,loss,grad_norm,tokens_per_s,heldout_loss\n";
  if (a.flag("--resume") && std::filesystem::exists(curve)) {
    const auto old = FileBytes::open(curve);
    csv.assign(reinterpret_cast<const char*>(old->data()), old->size());
  }
  CancelToken cancel;
  install_interrupt(cancel);
  const auto started = std::chrono::steady_clock::now();
  bool out_of_time = false;
  while (t.steps_done() < o.steps && !cancel.cancelled() && !out_of_time) {
    const auto t0 = std::chrono::steady_clock::now();
    const StepStats s = t.step();
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const bool eval = !heldout.empty() && (s.step % eval_every == 0 || s.step == o.steps);
    const double held = eval ? t.eval_loss(heldout, 16) : NAN;
    char line[160];
    std::snprintf(line, sizeof line, "%lld,%.6g,%.6f,%.4f,%.1f,%s\n", (long long)s.step, s.lr, s.loss, s.grad_norm, double(s.tokens) / secs, eval ? std::to_string(held).c_str() : "");
    csv += line;
    std::printf("step %lld/%lld  loss %.4f  lr %.3g  |g| %.3f  %.0f tok/s%s\n", (long long)s.step, (long long)o.steps, s.loss, s.lr, s.grad_norm, double(s.tokens) / secs,
                eval ? ("  held-out " + std::to_string(held)).c_str() : "");
    std::fflush(stdout);
    if (s.step % ckpt_every == 0) t.save_checkpoint(ckpt), write_file_atomically(curve, csv, true);
    out_of_time = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() > 60.0 * max_minutes;
  }
  if (out_of_time && t.steps_done() < o.steps)
    std::cout << "stopped by --max-minutes at step " << t.steps_done() << " of " << o.steps << " (the learning-rate schedule did not finish)\n";
  t.save_checkpoint(ckpt);
  write_file_atomically(curve, csv, true);
  if (cancel.cancelled()) {
    std::cout << "stopped at step " << t.steps_done() << "; " << ckpt << " resumes it (--resume)\n";
    return 130;
  }
  HfExportOptions e;
  e.tokenizer_model = a.get("--tokenizer");
  e.overwrite = true;  // the folder belongs to this run's --out
  e.dtype = export_dtype == "bf16" ? at::kBFloat16 : at::kFloat;
  export_hf_folder(t.model(), out + "/hf", e);
  std::cout << "wrote " << ckpt << ", " << curve << " and " << out << "/hf (a Hugging Face folder)\n";
  return 0;
}

}  // namespace qs::cli
