// quantiscope bench-decode: decode speed and memory of KV cache types against the f16 cache in
// the same run. Prints one table row per (cache, batch, context):
//   ms/step and tokens/s of the timed decode steps, the speed-up over the baseline cache, the floor
//   of a step (weights + the cache's bytes, read once at the copy rate measured in this run) and
//   the share of it reached, peak GPU memory split into weights / cache / workspace, and which
//   attention path served the quantized cache (fused kernel, or the reference with its reason).
// --max-batch CTX adds the largest batch each cache fits at CTX (estimated from the codecs'
// footprint, then run; lowered on an out-of-memory), its throughput, and every cache's peak memory
// at the baseline's largest batch. A row that cannot fit says what it needs before allocating.
#include <cstdio>
#include <iostream>

#include "app/cli/bench_common.h"
#include "app/cli/commands.h"
#include "app/cli/console.h"
#include "core/common/device.h"
#include "core/common/error.h"
#include "core/common/timer.h"
#include "core/common/torch_compat.h"
#include "core/kv/kv_side.h"
#include "core/kv/quantized_cache.h"
#include "core/llm/eval/kv_sweep.h"
#include "core/llm/model/transformer.h"

namespace qs::cli {
namespace {

struct Setup {
  const Transformer* model = nullptr;
  const LoadedModel* loaded = nullptr;
  KvOptions kv;
  int64_t gen = 32, chunk = 4096;
  bool random_fill = false, reference_path = false;
  double bandwidth = 0;
};

struct Run {
  std::string cache, status = "ok", path;
  int64_t batch = 0, ctx = 0;
  double ms_step = 0, cache_bytes = 0, peak_bytes = 0, fill_peak_bytes = 0;
};

// The options of one --caches entry ("rotatekv-post-2@reorder=none"), on top of --kv-opt's reorder source.
KvOptions options_for(const Setup& s, const SweepCodec& c) {
  KvOptions o = c.kv_opt.empty() ? s.kv : KvOptions::parse(c.kv_opt);
  o.reorder_source = s.kv.reorder_source;
  return o;
}

double cache_bytes_per_sequence(const Setup& s, const SweepCodec& type, int64_t tokens) {
  return kv_cache_bytes(*s.model, type.k_type, type.v_type, tokens, options_for(s, type));
}

// Transient memory per sequence beyond weights and cache: the fill's activations, one layer's
// dequantized K and V on the reference path, the decode step's activations and logits.
double workspace_per_sequence(const Setup& s, int64_t tokens) {
  const ModelConfig& c = s.model->config();
  const double elem = double(c10::elementSize(s.model->dtype()));
  const double fill = s.random_fill ? double(std::min(s.chunk, tokens)) * double(c.dim + 2 * c.n_kv_heads * c.head_dim) * elem
                                    : double(std::min(s.chunk, tokens)) * double(3 * c.ffn_dim + 8 * c.dim) * elem;
  const double layer_copy = double(tokens) * double(c.n_kv_heads * c.head_dim) * 2 * 4;  // f16 K + V, and a second copy in flight
  const double step = double(c.vocab) * 4 + double(3 * c.ffn_dim + 8 * c.dim) * 4;
  return fill + layer_copy + step;
}

bool is_out_of_memory(const std::exception& e) { return std::string(e.what()).find("out of memory") != std::string::npos; }

Run run_one(const Setup& s, const SweepCodec& type, int64_t B, int64_t ctx) {
  Run r;
  r.cache = type.label, r.batch = B, r.ctx = ctx;
  const int64_t tokens = ctx + s.gen + 2;
  size_t free_bytes = 0, total = 0;
  compat::cuda_memory_info(free_bytes, total);
  const double need = double(B) * (cache_bytes_per_sequence(s, type, tokens) + workspace_per_sequence(s, tokens));
  if (total && need > double(free_bytes)) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "does not fit: needs %.1f GiB beyond the weights, %.1f GiB free", gib(need), gib(double(free_bytes)));
    r.status = buf;
    return r;
  }
  try {
    auto cache = s.model->make_cache(type.k_type, type.v_type, tokens, B, options_for(s, type));
    if (auto* q = dynamic_cast<QuantizedCache*>(cache.get())) q->use_fused_kernels(!s.reference_path);
    const at::Device dev = s.model->device();
    compat::cuda_reset_peak();
    at::Tensor next;
    if (s.random_fill) {
      s.model->fill_cache_randomly(*cache, B, ctx, s.chunk);
      next = at::randint(0, s.loaded->config.vocab, {B, 1}, at::TensorOptions().dtype(at::kLong)).to(dev);
    } else {
      for (int64_t done = 0; done < ctx; done += s.chunk) {
        const int64_t T = std::min(s.chunk, ctx - done);
        at::Tensor prompt = at::randint(0, s.loaded->config.vocab, {B, T}, at::TensorOptions().dtype(at::kLong)).to(dev);
        next = s.model->forward(prompt, *cache, true).argmax(-1);
      }
    }
    compat::cuda_synchronize();
    r.fill_peak_bytes = double(compat::cuda_peak_bytes());
    compat::cuda_reset_peak();
    for (int i = 0; i < 2; ++i) next = s.model->forward(next, *cache, true).argmax(-1);  // warm-up
    compat::cuda_synchronize();
    Stopwatch t;
    for (int64_t g = 0; g < s.gen; ++g) next = s.model->forward(next, *cache, true).argmax(-1);
    compat::cuda_synchronize();
    r.ms_step = 1000.0 * t.seconds() / double(s.gen);
    r.cache_bytes = double(cache->memory().total());
    r.peak_bytes = double(compat::cuda_peak_bytes());
    if (auto* q = dynamic_cast<QuantizedCache*>(cache.get())) {
      const auto& p = q->decode_paths();
      r.path = p.reference == 0 ? "fused" : p.fused == 0 ? "reference: " + p.reason : "fused " + std::to_string(p.fused) + ", reference " + std::to_string(p.reference) + ": " + p.reason;
    } else {
      r.path = "matmul + softmax (full-precision cache)";
    }
  } catch (const std::exception& e) {
    if (!is_out_of_memory(e)) throw;
    r.status = "out of memory (the estimate was too low)";
  }
  return r;
}

void print_rows(const Setup& s, const std::vector<Run>& rows, const std::map<std::pair<int64_t, int64_t>, double>& base_ms) {
  const double weights = double(s.loaded->weights.bytes());
  std::printf("| cache | batch | ctx | decode ms/step | tok/s | vs %s | floor ms | floor/step | weights GiB | cache GiB | workspace GiB | fill peak GiB | attention |\n",
              rows.empty() ? "f16" : rows.front().cache.c_str());
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
  for (const Run& r : rows) {
    if (r.status != "ok") {
      std::printf("| %s | %lld | %lld | %s | | | | | | | | | |\n", r.cache.c_str(), (long long)r.batch, (long long)r.ctx, r.status.c_str());
      continue;
    }
    const double floor_ms = 1000.0 * (weights + r.cache_bytes) / s.bandwidth;
    auto it = base_ms.find({r.batch, r.ctx});
    char ratio[32] = "";
    if (it != base_ms.end()) std::snprintf(ratio, sizeof ratio, "%.2fx", it->second / r.ms_step);
    char work[32] = "-", fill[32] = "-";  // peak device memory is known on CUDA only
    if (r.peak_bytes > 0) std::snprintf(work, sizeof work, "%.2f", gib(r.peak_bytes - weights - r.cache_bytes));
    if (r.fill_peak_bytes > 0) std::snprintf(fill, sizeof fill, "%.2f", gib(r.fill_peak_bytes));
    std::printf("| %s | %lld | %lld | %.3f | %.1f | %s | %.3f | %.1f%% | %.2f | %.2f | %s | %s | %s |\n", r.cache.c_str(), (long long)r.batch, (long long)r.ctx, r.ms_step,
                1000.0 * double(r.batch) / r.ms_step, ratio, floor_ms, 100.0 * floor_ms / r.ms_step, gib(weights), gib(r.cache_bytes), work, fill, r.path.c_str());
  }
}

// The largest batch that fits at ctx: the footprint's estimate, then lowered by 10% per
// out-of-memory (at most 6 tries).
Run max_batch(const Setup& s, const SweepCodec& type, int64_t ctx) {
  size_t free_bytes = 0, total = 0;
  compat::cuda_memory_info(free_bytes, total);
  const int64_t tokens = ctx + s.gen + 2;
  const double per_seq = cache_bytes_per_sequence(s, type, tokens) + workspace_per_sequence(s, tokens);
  int64_t B = std::max<int64_t>(1, int64_t((double(free_bytes) - double(int64_t(2) << 30)) / per_seq));
  Run r;
  for (int tries = 0; tries < 6 && B >= 1; ++tries, B = B * 9 / 10) {
    r = run_one(s, type, B, ctx);
    if (r.status == "ok") return r;
  }
  return r;
}

}  // namespace

int cmd_bench_decode(int argc, char** argv) {
  Args a(argc, argv, 2, merge({kModelOptions, {"--caches", "--batch", "--gen-tokens", "--fill", "--prefill-chunk", "--max-batch"}}), {"--reference-path"}, kAliases);
  auto m = load_model_from_args(a);
  Transformer model(*m);
  Setup s;
  s.model = &model, s.loaded = m.get();
  s.kv = kv_options_from_args(a, *m);
  s.gen = a.get_ll("--gen-tokens", 32);
  s.chunk = a.get_ll("--prefill-chunk", 4096);
  s.reference_path = a.flag("--reference-path");
  const std::string fill = a.get("--fill", "prefill");
  if (fill != "prefill" && fill != "random") fail(ErrorKind::kInvalidArgument, "--fill prefill|random, not '" + fill + "'");
  s.random_fill = fill == "random";
  if (s.gen < 1 || s.chunk < 1) fail(ErrorKind::kInvalidArgument, "--gen-tokens and --prefill-chunk must be positive");
  const int64_t max_batch_ctx = a.has("--max-batch") ? parse_positive_list("--max-batch", a.get("--max-batch")).front() : 0;
  std::vector<SweepCodec> caches;
  for (const std::string& c : a.has("--caches") ? split_list(a.get("--caches")) : std::vector<std::string>{"f16"}) caches.push_back(SweepCodec::parse(c));
  if (a.has("--cache-type-k") && !a.has("--caches")) caches.push_back(SweepCodec::parse(k_type_from_args(a) + "/" + v_type_from_args(a)));
  const std::vector<int64_t> batches = parse_positive_list("--batch", a.get("--batch", "1"));
  const std::vector<int64_t> ctxs = parse_positive_list("--ctx", a.get("--ctx", "512"));
  const bool random_weights = m->format == "random-init";
  for (int64_t c : ctxs)
    if (!random_weights && c + s.gen > m->config.context_length)
      fail(ErrorKind::kInvalidArgument, "--ctx " + std::to_string(c) + " + --gen-tokens exceed the model's context of " + std::to_string(m->config.context_length));
  for (const SweepCodec& c : caches)  // unknown names and unused options fail before any run
    create_kv_cache(KvShape{model.config().n_layers, model.config().n_heads, model.config().n_kv_heads, model.config().head_dim, 1, 1, at::Device(at::kCPU), at::kFloat,
                            options_for(s, c)},
                    c.k_type, c.v_type);
  s.bandwidth = copy_bandwidth(model.device(), model.device().is_cuda() ? (int64_t(2) << 30) : (int64_t(256) << 20));

  std::cout << "model: " << m->path << (random_weights ? " [random-init weights: speed only; --ctx may exceed the trained context]" : "") << "\n"
            << "device: " << model.device().str() << ", dtype " << dtype_name(model.dtype()) << ", torch " << compat::torch_version()
            << "; cache filled by " << (s.random_fill ? "random keys/values through the cache (no prefill matmuls)" : "a chunked prefill of random tokens")
            << "; " << s.gen << " timed decode steps after 2 warm-up steps\n";
  std::printf("copy rate %.1f GB/s (bytes read + written); floor = (weights + cache bytes) / that rate\n\n", s.bandwidth / 1e9);

  run_one(s, caches.front(), 1, 64);  // warm-up: library handles, kernels' first loads (not reported)
  std::vector<Run> rows;
  std::map<std::pair<int64_t, int64_t>, double> base;
  for (int64_t ctx : ctxs)
    for (int64_t B : batches)
      for (const SweepCodec& c : caches) {
        Run r = run_one(s, c, B, ctx);
        if (&c == &caches.front() && r.status == "ok") base[{B, ctx}] = r.ms_step;
        rows.push_back(r);
        std::fflush(stdout);
      }
  print_rows(s, rows, base);

  if (max_batch_ctx > 0) {
    const int64_t ctx = max_batch_ctx;
    std::printf("\nLargest batch at context %lld (tok/s there; vs = throughput over the baseline's at its own largest batch)\n\n", (long long)ctx);
    std::vector<Run> best;
    for (const SweepCodec& c : caches) best.push_back(max_batch(s, c, ctx));
    std::printf("| cache | max batch | decode tok/s | throughput vs %s | peak GPU GiB |\n|---|---:|---:|---:|---:|\n", caches.front().label.c_str());
    const Run& b0 = best.front();
    const double base_tps = b0.status == "ok" ? 1000.0 * double(b0.batch) / b0.ms_step : 0;
    for (const Run& r : best) {
      if (r.status != "ok") {
        std::printf("| %s | %s | | | |\n", r.cache.c_str(), r.status.c_str());
        continue;
      }
      const double tps = 1000.0 * double(r.batch) / r.ms_step;
      std::printf("| %s | %lld | %.1f | %.2fx | %.2f |\n", r.cache.c_str(), (long long)r.batch, tps, base_tps > 0 ? tps / base_tps : 0.0, gib(r.peak_bytes));
    }
    if (b0.status == "ok") {
      std::printf("\nPeak GPU memory of every cache at the baseline's largest batch (%lld x %lld)\n\n| cache | peak GPU GiB | baseline / this | decode ms/step |\n|---|---:|---:|---:|\n",
                  (long long)b0.batch, (long long)ctx);
      for (const SweepCodec& c : caches) {
        Run r = &c == &caches.front() ? b0 : run_one(s, c, b0.batch, ctx);
        if (r.status != "ok") {
          std::printf("| %s | %s | | |\n", c.label.c_str(), r.status.c_str());
          continue;
        }
        std::printf("| %s | %.2f | %.2fx | %.3f |\n", c.label.c_str(), gib(r.peak_bytes), b0.peak_bytes / r.peak_bytes, r.ms_step);
      }
    }
  }
  return 0;
}

}  // namespace qs::cli
