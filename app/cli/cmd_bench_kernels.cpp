// quantiscope bench-kernels: each fused KV kernel on the shapes of a decode step, timed by CUDA
// events (warm-up, median of many), with the bytes it must read and write, the achieved GB/s and
// that as a share of the copy rate measured in the same run. Inputs rotate over enough copies
// that the working set is several times the L2 cache. LibTorch's scaled_dot_product_attention
// over an f16 cache of the same shape is the reference row. The FWHT kernel follows, on rows of
// every length it takes, beside the tensor-op path it replaces.
#include <cstdio>
#include <iostream>

#include "app/cli/bench_common.h"
#include "app/cli/commands.h"
#include "core/common/device.h"
#include "core/common/error.h"
#include "core/common/torch_compat.h"
#include "core/kv/fused_kernels.h"
#include "core/kv/hadamard.h"
#include "core/kv/side_store.h"

namespace qs::cli {
namespace {

struct KernelShape {
  int64_t batch, kv_heads, heads, head_dim, tokens;
};

struct Layout {
  std::string name;
  TokenPolicy policy;
};

TokenPolicy rows(QuantScheme scheme, int bits, int64_t group, ZeroKind zero = ZeroKind::kIntegerZero, int64_t window = 0) {
  TokenPolicy p;
  p.quant.scheme = scheme, p.quant.bits = bits, p.quant.group = group, p.quant.zero = zero, p.window = window;
  return p;
}

std::vector<Layout> layouts() {
  TokenPolicy fp;
  fp.full_precision = true;
  TokenPolicy akvq = rows(QuantScheme::kAsymmetric, 2, 128, ZeroKind::kIntegerZero, 128);
  akvq.sinks = SinkRule::kTopTokens, akvq.sink_count = 15;
  return {{"f16 rows (fused kernel)", fp},
          {"q8_0", rows(QuantScheme::kLlamaQ8_0, 8, 32)},
          {"q4_0", rows(QuantScheme::kLlamaQ4_0, 4, 32)},
          {"asym 4-bit g128", rows(QuantScheme::kAsymmetric, 4, 128)},
          {"asym 2-bit g128 (rotatekv-post-2)", rows(QuantScheme::kAsymmetric, 2, 128)},
          {"asym 2-bit g128 + window 128 + 15 pivots (akvq-2)", akvq},
          {"min 2-bit g32 + window 128 (kivi-2 values)", rows(QuantScheme::kAsymmetric, 2, 32, ZeroKind::kMin, 128)}};
}

struct Pair {
  std::unique_ptr<SideStore> k, v;
};

Pair filled(const Layout& lay, const KernelShape& sh, at::Device dev) {
  const int64_t width = sh.kv_heads * sh.head_dim;
  Pair p{std::make_unique<SideStore>(lay.policy, width, at::kHalf, sh.tokens), std::make_unique<SideStore>(lay.policy, width, at::kHalf, sh.tokens)};
  const auto opt = at::TensorOptions().device(dev);
  for (int64_t done = 0; done < sh.tokens; done += 4096) {
    const int64_t T = std::min<int64_t>(4096, sh.tokens - done);
    at::Tensor h = at::randn({sh.batch, T, 64}, opt);
    p.k->append(at::randn({sh.batch, T, width}, opt), h, done == 0);
    p.v->append(at::randn({sh.batch, T, width}, opt), h, done == 0);
  }
  return p;
}

// FWHT over 256 MiB of rows (read + written, beyond L2) for each length, f16 and f32.
void fwht_table(at::Device dev, int reps, double bandwidth) {
  std::printf("\nFWHT of rows (normalised, in the input dtype); bytes = input read + output written\n\n");
  std::printf("| n | dtype | rows | bytes MiB | kernel us | GB/s | of copy rate | tensor ops us |\n|---:|---|---:|---:|---:|---:|---:|---:|\n");
  for (at::ScalarType dt : {at::kHalf, at::kFloat})
    for (int64_t n = 8; n <= 32768; n *= 2) {
      const int64_t elt = dt == at::kHalf ? 2 : 4, rows = (int64_t(128) << 20) / (n * elt);
      const at::Tensor x = at::randn({rows, n}, at::TensorOptions().device(dev)).to(dt);
      at::Tensor y = at::empty_like(x);
      const double bytes = 2.0 * double(x.numel() * elt);
      if (const std::string why = try_fused_fwht(x, y); !why.empty()) {
        std::printf("| %lld | %s | %lld | %.0f | no kernel: %s | | | |\n", (long long)n, dt == at::kHalf ? "f16" : "f32", (long long)rows, bytes / double(1 << 20), why.c_str());
        continue;
      }
      const double ms = compat::device_time_ms([&] { try_fused_fwht(x, y); }, 5, reps);
      const double ops_ms = compat::device_time_ms([&] { (void)fwht_tensor_ops(x); }, 2, std::max(3, reps / 10));
      std::printf("| %lld | %s | %lld | %.0f | %.1f | %.0f | %.1f%% | %.0f |\n", (long long)n, dt == at::kHalf ? "f16" : "f32", (long long)rows, bytes / double(1 << 20),
                  1000.0 * ms, bytes / (ms * 1e-3) / 1e9, 100.0 * bytes / (ms * 1e-3) / bandwidth, 1000.0 * ops_ms);
      std::fflush(stdout);
    }
}

}  // namespace

int cmd_bench_kernels(int argc, char** argv) {
  Args a(argc, argv, 2, {"--device", "--reps", "--l2-multiple", "--only"}, {}, {});
  const at::Device dev = parse_device(a.get("--device", "cuda"));
  if (!dev.is_cuda()) fail(ErrorKind::kUnsupported, "bench-kernels times CUDA kernels: --device cuda");
  const int reps = a.get_int("--reps", 50);
  const double bandwidth = copy_bandwidth(dev, int64_t(2) << 30);
  const double l2_bytes = 50e6 * a.get_double("--l2-multiple", 4.0);  // H200: 50 MB of L2
  const std::string only = a.get("--only", "all");
  if (only != "all" && only != "attention" && only != "fwht") fail(ErrorKind::kInvalidArgument, "--only " + only + ": expected attention or fwht");
  if (only == "fwht") return fwht_table(dev, reps, bandwidth), 0;
  std::printf("fused decode attention (one query token per sequence), f16 queries; CUDA events, median of %d after 5 warm-ups\n", reps);
  std::printf("copy rate %.1f GB/s (bytes read + written) measured in this run; bytes = codes + metadata + full-precision rows + q + out\n\n", bandwidth / 1e9);
  std::printf("| kernel | B | Hkv | Hq | hd | tokens | bytes MiB | us | GB/s | of copy rate |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  const std::vector<KernelShape> shapes = {{1, 32, 32, 128, 32768}, {16, 32, 32, 128, 4096}, {1, 8, 32, 128, 32768}, {16, 8, 32, 128, 4096}, {1, 32, 32, 128, 131072}};
  for (const KernelShape& sh : shapes) {
    const auto opt = at::TensorOptions().device(dev).dtype(at::kHalf);
    at::Tensor q = at::randn({sh.batch, sh.heads, 1, sh.head_dim}, opt), out = at::empty_like(q);
    const double qo_bytes = 2.0 * double(q.numel()) * 2;
    auto row = [&](const std::string& name, double bytes, double us) {
      std::printf("| %s | %lld | %lld | %lld | %lld | %lld | %.1f | %.1f | %.0f | %.1f%% |\n", name.c_str(), (long long)sh.batch, (long long)sh.kv_heads,
                  (long long)sh.heads, (long long)sh.head_dim, (long long)sh.tokens, bytes / double(1 << 20), us, bytes / us / 1e3, 100.0 * bytes / (us * 1e-6) / bandwidth);
      std::fflush(stdout);
    };
    {  // reference: LibTorch's fused attention over a plain f16 cache
      const double bytes = 2.0 * double(sh.batch * sh.kv_heads * sh.tokens * sh.head_dim) * 2 + qo_bytes;
      const int copies = int(std::clamp(l2_bytes / bytes + 1, 1.0, 16.0));
      std::vector<at::Tensor> ks, vs;
      for (int i = 0; i < copies; ++i) ks.push_back(at::randn({sh.batch, sh.kv_heads, sh.tokens, sh.head_dim}, opt)), vs.push_back(at::randn_like(ks.back()));
      int i = 0;
      const double ms = compat::device_time_ms([&] { compat::scaled_dot_product_attention(q, ks[size_t(i % copies)], vs[size_t(i % copies)], at::Tensor(), false), ++i; }, 5, reps);
      row("sdpa f16 cache (LibTorch)", bytes, 1000.0 * ms);
    }
    KvShape shape;
    shape.n_layers = 1, shape.n_heads = sh.heads, shape.n_kv_heads = sh.kv_heads, shape.head_dim = sh.head_dim, shape.batch = sh.batch, shape.max_tokens = sh.tokens;
    shape.device = dev;
    for (const Layout& lay : layouts()) {
      Pair first = filled(lay, sh, dev);
      const double bytes = double(first.k->memory().total() + first.v->memory().total()) + qo_bytes;
      const std::string why = fused_decode_unsupported(shape, *first.k, *first.v, q);
      if (!why.empty()) {
        std::printf("| %s | %lld | %lld | %lld | %lld | %lld | %.1f | no fused kernel: %s | | |\n", lay.name.c_str(), (long long)sh.batch, (long long)sh.kv_heads,
                    (long long)sh.heads, (long long)sh.head_dim, (long long)sh.tokens, bytes / double(1 << 20), why.c_str());
        continue;
      }
      const int copies = int(std::clamp(l2_bytes / bytes + 1, 1.0, 16.0));
      std::vector<Pair> sets;
      sets.push_back(std::move(first));
      while (int(sets.size()) < copies) sets.push_back(filled(lay, sh, dev));
      // Both split kernels where both serve the case; the one decoding picks is marked "(auto)".
      const std::string chosen = fused_decode_kernel_name(shape, *sets[0].k, *sets[0].v, q);
      for (DecodeKernel kernel : {DecodeKernel::kTensorCores, DecodeKernel::kCudaCores}) {
        std::string name = fused_decode_kernel_name(shape, *sets[0].k, *sets[0].v, q, kernel);
        if (kernel == DecodeKernel::kCudaCores && name == "cuda cores" && fused_decode_kernel_name(shape, *sets[0].k, *sets[0].v, q, DecodeKernel::kTensorCores) == name) break;
        if (name == chosen) name += " (auto)";
        int i = 0;
        const double ms = compat::device_time_ms(
            [&] {
              const Pair& p = sets[size_t(i++ % copies)];
              fused_decode_attention(shape, *p.k, *p.v, q, out, kernel);
            },
            5, reps);
        row(lay.name + " [" + name + "]", bytes, 1000.0 * ms);
      }
    }
  }
  if (only == "all") fwht_table(dev, reps, bandwidth);
  return 0;
}

}  // namespace qs::cli
