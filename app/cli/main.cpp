// quantiscope: the command-line front end (no Qt). One file per subcommand.
#include <cstring>
#include <filesystem>
#include <iostream>

#include "app/cli/commands.h"
#include "app/cli/signals.h"
#include "core/common/allocator_tuning.h"
#include "core/common/error.h"
#include "core/kv/kv_cache.h"

namespace {

void usage() {
  std::cout << "quantiscope: run and evaluate Llama-family models with quantized KV caches, and MRI reconstructions\n\n"
               "usage: quantiscope COMMAND [options]\n\n"
               "commands:\n"
               "  info MODEL                     architecture, shapes, tokenizer, template (--hash, --metadata)\n"
               "  generate --model M [-p TEXT] [-n N]   stdout: the prompt then the generated text\n"
               "  chat --model M [--system TEXT] [--template NAME]\n"
               "  ppl --model M --file TEXT --ctx N [--doc-sep S] [--save-logits F [--force]]\n"
               "  kld --model M --file TEXT --reference F\n"
               "  bench (--model M | --random-init llama2-7b|llama3-8b) [--batch 1,16] [--prompt-tokens N] [--gen-tokens N]\n"
               "  bench-decode (--model M | --random-init SHAPE) --device cuda [--caches f16,kivi-2] [--batch 1,16] [--ctx 512,4096]\n"
               "               [--gen-tokens N] [--fill prefill|random] [--max-batch CTX] [--reference-path]   decode speed and memory vs f16\n"
               "  bench-kernels [--reps N] [--only attention|fwht]  fused KV kernels: time, bytes, GB/s, share of the copy rate (CUDA)\n"
               "  calibrate --model M --data TEXT [--tokens N] [--out F]   RotateKV channel-reorder file (default: named after the model hash)\n"
               "  train-lm --data TEXT --tokenizer tokenizer.model --out DIR [--preset tiny|ref] [--steps N] [--batch B] [--seq T]\n"
               "           [--accum A] [--lr X] [--warmup N] [--seed S] [--heldout TEXT] [--resume] [--device cpu|cuda] [--bf16]\n"
               "           [--export-dtype f32|bf16] [--max-minutes M]   train a Llama model, export a Hugging Face folder\n"
               "  kv-report (--model M | --random-init SHAPE) [--ctx N] [--batch B] [--csv]   bits and bytes of every cache type\n"
               "  kv-sweep --models M1,M2 --texts T1,T2 [--codecs C1,K/V,C@opt=v] [--calib-data F] [--batch B] [--keep-partial] [--csv F] [--md F]\n"
               "  kv-analyze --model M --data TEXT [--bos-per-window]   outlier ratios, massive activations, attention sinks per head, TSA/PSA\n"
               "  mri info|simulate|mask|recon|eval|compare ...   MRI volumes, k-space, reconstructions (quantiscope mri --help)\n\n"
               "common options:\n"
               "  --model/-m PATH     GGUF file, Hugging Face folder or llama2.c checkpoint\n"
               "  --tokenizer/-z F    tokenizer (llama2.c .bin, tokenizer.json)\n"
               "  --device cpu|cuda   --dtype f32|f16|bf16   --ctx/-c N\n"
               "  -ctk/-ctv TYPE      KV cache type for keys / values:";
  for (const auto& t : qs::kv_cache_types()) std::cout << " " << t;
  std::cout << "\n"
               "  --kv-opt K=V,...    codec options (group=, clip=, meta=f16|fp8, reorder=none, sinks=, residual=, tsa=L1+L2)\n"
               "  --kv-reorder F      RotateKV reorder file (default: the model's file under ~/.cache/quantiscope/reorder)\n"
               "  --protocol prefill|decode   ppl/kld: quantized cache read inside each window, or tokens fed one by one\n"
               "  --temp/-t T  --top-k K  --top-p P  --min-p P  --repeat-penalty R  --seed/-s S  -n N (new tokens)\n";
}

}  // namespace

int main(int argc, char** argv) {
  qs::reexec_with_tensor_friendly_malloc(argv);
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "help")) {
    usage();
    return argc < 2 ? 2 : 0;
  }
  const std::string cmd = argv[1];
  qs::cli::install_default_interrupt();
  try {
    if (cmd == "info") return qs::cli::cmd_info(argc, argv);
    if (cmd == "generate") return qs::cli::cmd_generate(argc, argv);
    if (cmd == "chat") return qs::cli::cmd_chat(argc, argv);
    if (cmd == "ppl") return qs::cli::cmd_ppl(argc, argv);
    if (cmd == "kld") return qs::cli::cmd_kld(argc, argv);
    if (cmd == "bench") return qs::cli::cmd_bench(argc, argv);
    if (cmd == "bench-decode") return qs::cli::cmd_bench_decode(argc, argv);
    if (cmd == "bench-kernels") return qs::cli::cmd_bench_kernels(argc, argv);
    if (cmd == "calibrate") return qs::cli::cmd_calibrate(argc, argv);
    if (cmd == "train-lm") return qs::cli::cmd_train_lm(argc, argv);
    if (cmd == "kv-report") return qs::cli::cmd_kv_report(argc, argv);
    if (cmd == "kv-sweep") return qs::cli::cmd_kv_sweep(argc, argv);
    if (cmd == "kv-analyze") return qs::cli::cmd_kv_analyze(argc, argv);
    if (cmd == "mri") return qs::cli::cmd_mri(argc, argv);
    std::cerr << "error: unknown command '" << cmd << "' (see quantiscope --help)\n";
    return 2;
  } catch (const qs::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return qs::exit_code_for(e.kind());
  } catch (const std::filesystem::filesystem_error& e) {  // a file-system refusal is an I/O error (3)
    std::cerr << "error: " << qs::first_line(e.what()) << "\n";
    return qs::exit_code_for(qs::ErrorKind::kIo);
  } catch (const std::exception& e) {
    std::cerr << "error: " << qs::first_line(e.what()) << "\n";
    return 1;
  }
}
