// quantiscope bench: prefill and decode tokens/s and peak memory, for a real model or a
// random-init shape (speed only; labelled as such). Prints a table.
#include <cstdio>
#include <iostream>
#include <sstream>
#include <sys/resource.h>

#include "app/cli/commands.h"
#include <ATen/Parallel.h>

#include "core/common/device.h"
#include "core/common/timer.h"
#include "core/common/torch_compat.h"
#include "core/llm/model/transformer.h"

namespace qs::cli {
namespace {

std::vector<int64_t> parse_list(const std::string& s) {
  std::vector<int64_t> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(std::stoll(item));
  return out;
}

double host_peak_mib() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return double(ru.ru_maxrss) / 1024.0;
}

}  // namespace

int cmd_bench(int argc, char** argv) {
  Args a(argc, argv, 2, merge({kModelOptions, {"--prompt-tokens", "--gen-tokens", "--batch", "--reps"}}), {}, kAliases);
  auto m = load_model_from_args(a);
  Transformer model(*m);
  const int64_t P = a.get_ll("--prompt-tokens", 128), G = a.get_ll("--gen-tokens", 128);
  const int reps = a.get_int("--reps", 3);
  std::vector<int64_t> batches = parse_list(a.get("--batch", "1"));
  const bool cuda = model.device().is_cuda();
  std::string label = m->format == "random-init" ? " [random-init weights: speed only]" : "";
  std::cout << "model: " << m->path << label << "\n"
            << "device: " << model.device().str() << ", dtype " << dtype_name(model.dtype()) << ", cache " << k_type_from_args(a) << "/"
            << v_type_from_args(a) << ", torch " << compat::torch_version() << ", threads " << at::get_num_threads() << "\n\n";
  std::printf("| batch | prompt | gen | prefill tok/s | decode tok/s | decode ms/step | peak %s MiB |\n", cuda ? "GPU" : "host RSS");
  std::printf("|---:|---:|---:|---:|---:|---:|---:|\n");
  for (int64_t B : batches) {
    if (P + G > m->config.context_length) throw Error(ErrorKind::kInvalidArgument, "prompt + gen tokens exceed the model context");
    double best_prefill = 0, best_decode = 0;
    compat::cuda_reset_peak();
    for (int r = 0; r < reps + 1; ++r) {  // the first run warms up and is not counted
      auto cache = model.make_cache(k_type_from_args(a), v_type_from_args(a), P + G, B);
      at::Tensor prompt = at::randint(0, m->config.vocab, {B, P}, at::TensorOptions().dtype(at::kLong)).to(model.device());
      compat::cuda_synchronize();
      Stopwatch t;
      at::Tensor logits = model.forward(prompt, *cache, true);
      at::Tensor next = logits.argmax(-1);
      compat::cuda_synchronize();
      double prefill = t.seconds();
      t.restart();
      for (int64_t g = 0; g < G; ++g) next = model.forward(next, *cache, true).argmax(-1);
      compat::cuda_synchronize();
      double decode = t.seconds();
      if (r == 0) continue;
      best_prefill = std::max(best_prefill, double(B * P) / prefill);
      best_decode = std::max(best_decode, double(B * G) / decode);
    }
    double peak = cuda ? double(compat::cuda_peak_bytes()) / (1 << 20) : host_peak_mib();
    std::printf("| %lld | %lld | %lld | %.1f | %.1f | %.3f | %.0f |\n", (long long)B, (long long)P, (long long)G, best_prefill, best_decode,
                1000.0 * double(B) / best_decode, peak);
  }
  std::cout << "\n(best of " << reps << " runs after one warm-up; decode tok/s counts tokens of all sequences in the batch)\n";
  return 0;
}

}  // namespace qs::cli
