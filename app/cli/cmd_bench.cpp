// quantiscope bench: prefill and decode tokens/s and peak memory, for a real model or a
// random-init shape (speed only; labelled as such). Prints a table.
#include <cstdio>
#include <iostream>
#include <sstream>
#include <sys/resource.h>

#include "app/cli/bench_common.h"
#include "app/cli/commands.h"
#include "core/common/error.h"
#include <ATen/Parallel.h>

#include "core/common/device.h"
#include "core/common/timer.h"
#include "core/common/torch_compat.h"
#include "core/llm/model/transformer.h"

namespace qs::cli {
namespace {

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
  std::vector<int64_t> batches = parse_positive_list("--batch", a.get("--batch", "1"));
  const bool cuda = model.device().is_cuda();
  std::string label = m->format == "random-init" ? " [random-init weights: speed only]" : "";
  std::cout << "model: " << m->path << label << "\n"
            << "device: " << model.device().str() << ", dtype " << dtype_name(model.dtype()) << ", cache " << k_type_from_args(a) << "/"
            << v_type_from_args(a) << ", torch " << compat::torch_version() << ", threads " << at::get_num_threads() << "\n\n";
  struct Row {
    int64_t batch;
    double prefill, decode, kv_bytes, peak_mib;
  };
  std::vector<Row> rows;
  for (int64_t B : batches) {
    if (P + G > m->config.context_length) throw Error(ErrorKind::kInvalidArgument, "prompt + gen tokens exceed the model context");
    // Refused before anything is allocated: the cache and the prefill's activations of B sequences.
    const ModelConfig& c = m->config;
    const double elem = double(c10::elementSize(model.dtype()));
    require_fits(model.device(),
                 double(B) * (kv_cache_bytes(model, k_type_from_args(a), v_type_from_args(a), P + G, kv_options_from_args(a, *m)) +
                              double(P) * double(3 * c.ffn_dim + 8 * c.dim) * elem + double(c.vocab) * 4.0),
                 "--batch " + std::to_string(B) + " at " + std::to_string(P + G) + " tokens");
    double best_prefill = 0, best_decode = 0, kv_bytes_mid = 0;
    compat::cuda_reset_peak();
    for (int r = 0; r < reps + 1; ++r) {  // the first run warms up and is not counted
      auto cache = model.make_cache(k_type_from_args(a), v_type_from_args(a), P + G, B, kv_options_from_args(a, *m));
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
      kv_bytes_mid = double(cache->memory().total()) * double(P + G / 2) / double(P + G);  // the cache at mid-decode
      if (r == 0) continue;
      best_prefill = std::max(best_prefill, double(B * P) / prefill);
      best_decode = std::max(best_decode, double(B * G) / decode);
    }
    double peak = cuda ? double(compat::cuda_peak_bytes()) / (1 << 20) : host_peak_mib();
    rows.push_back({B, best_prefill, best_decode, kv_bytes_mid, peak});
  }
  // The floor of a decode step: every weight byte and the step's KV bytes read once, at the
  // copy rate measured now (after the runs, so its buffers do not count in their peak memory).
  const double bandwidth = copy_bandwidth(model.device(), cuda ? (int64_t(2) << 30) : (int64_t(256) << 20));
  const double weight_bytes = double(m->weights.bytes());
  std::printf("weights %.1f MiB; measured copy rate %.1f GB/s (bytes read + written); decode floor = (weights + KV) / that rate\n\n",
              weight_bytes / (1 << 20), bandwidth / 1e9);
  std::printf("| batch | prompt | gen | prefill tok/s | decode tok/s | decode ms/step | floor ms/step | floor / step | peak %s MiB |\n",
              cuda ? "GPU" : "host RSS");
  std::printf("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const Row& r : rows) {
    const double step_ms = 1000.0 * double(r.batch) / r.decode;
    const double floor_ms = 1000.0 * (weight_bytes + r.kv_bytes) / bandwidth;
    std::printf("| %lld | %lld | %lld | %.1f | %.1f | %.3f | %.3f | %.1f%% | %.0f |\n", (long long)r.batch, (long long)P, (long long)G, r.prefill,
                r.decode, step_ms, floor_ms, 100.0 * floor_ms / step_ms, r.peak_mib);
  }
  std::cout << "\n(best of " << reps << " runs after one warm-up; decode tok/s counts tokens of all sequences in the batch)\n";
  return 0;
}

}  // namespace qs::cli
