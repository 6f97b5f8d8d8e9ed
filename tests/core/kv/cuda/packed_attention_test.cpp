// CUDA build only: the fused decode kernel against its reference on fresh random inputs. The
// reference dequantizes the same stores (SideStore::read, the CPU-path code) and computes softmax
// attention in float64; the kernel must agree to 1e-3 (relative L2) for every layout, head size,
// GQA ratio, batch and context around the tile, group and window boundaries. Outputs are poisoned
// with NaN first, so an element the kernel never writes fails.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>

#include "core/kv/fused_kernels.h"
#include "core/kv/side_store.h"

namespace qs {
namespace {

struct Layout {
  const char* name;
  TokenPolicy policy;
};

TokenPolicy token_rows(QuantScheme scheme, int bits, int64_t group, ZeroKind zero = ZeroKind::kIntegerZero, double clip = 1.0) {
  TokenPolicy p;
  p.quant.scheme = scheme, p.quant.bits = bits, p.quant.group = group, p.quant.zero = zero, p.quant.clip = clip;
  return p;
}

std::vector<Layout> layouts(int64_t width) {
  const int64_t g128 = std::min<int64_t>(128, width);
  std::vector<Layout> out;
  out.push_back({"q8_0", token_rows(QuantScheme::kLlamaQ8_0, 8, 32)});
  out.push_back({"q4_0", token_rows(QuantScheme::kLlamaQ4_0, 4, 32)});
  out.push_back({"asym2 (rotatekv-post)", token_rows(QuantScheme::kAsymmetric, 2, g128, ZeroKind::kIntegerZero, 0.8)});
  TokenPolicy akvq = token_rows(QuantScheme::kAsymmetric, 2, g128, ZeroKind::kIntegerZero, 0.8);
  akvq.window = 128, akvq.sinks = SinkRule::kTopTokens, akvq.sink_count = 15;
  out.push_back({"asym2 window 128 + 15 pivots (akvq PSA)", akvq});
  TokenPolicy a4 = token_rows(QuantScheme::kAsymmetric, 4, g128);
  a4.sinks = SinkRule::kTopEntries, a4.sink_count = 20;
  out.push_back({"asym4 + 20 sinks (rotatekv-4 rows)", a4});
  TokenPolicy kv = token_rows(QuantScheme::kAsymmetric, 2, 32, ZeroKind::kMin);
  kv.window = 128;
  out.push_back({"min2 groups of 32, window 128 (kivi values)", kv});
  TokenPolicy fp;
  fp.full_precision = true;
  out.push_back({"f16 rows", fp});
  return out;
}

// Random vectors with a few outlier channels and a few tokens of massive activations.
void fill(SideStore& s, int64_t B, int64_t S, int64_t width, int64_t dim) {
  const auto opt = at::TensorOptions().device(at::kCUDA);
  at::Tensor outlier = 1 + 6 * (at::rand({width}, opt) > 0.95).to(at::kFloat);
  at::Tensor x = at::randn({B, S, width}, opt) * outlier + 0.3;
  at::Tensor h = at::randn({B, S, dim}, opt);
  for (int64_t t : {int64_t(0), S / 3, S / 2}) h.select(1, t).mul_(40);
  const int64_t first = S > 1 ? S - 1 : S;  // a prompt, then one decode step
  s.append(x.narrow(1, 0, first), h.narrow(1, 0, first), true);
  if (first < S) s.append(x.narrow(1, first, S - first), h.narrow(1, first, S - first), false);
}

at::Tensor reference(const KvShape& shape, const SideStore& k, const SideStore& v, const at::Tensor& q) {
  const int64_t B = q.size(0), Hq = shape.n_heads, Hkv = shape.n_kv_heads, hd = shape.head_dim, S = k.length();
  auto heads = [&](const at::Tensor& x) { return x.to(at::kCPU, at::kDouble).view({B, S, Hkv, hd}).permute({0, 2, 1, 3}).repeat_interleave(Hq / Hkv, 1); };
  at::Tensor K = heads(k.read(at::kFloat)), V = heads(v.read(at::kFloat));
  at::Tensor qd = q.to(at::kCPU, at::kDouble);
  at::Tensor p = at::softmax(at::matmul(qd, K.transpose(-1, -2)) / std::sqrt(double(hd)), -1);
  return at::matmul(p, V);
}

double rel_error(const at::Tensor& out, const at::Tensor& ref) {
  at::Tensor o = out.to(at::kCPU, at::kDouble);
  return (o - ref).norm().item<double>() / ref.norm().item<double>();
}

struct Shape {
  int64_t batch, kv_heads, heads;
};

// One configuration: fresh stores, f32 and f16 queries, poisoned output, relative error bound.
// Returns the f32-query error. head_dim 128 runs both split kernels (tensor cores, CUDA cores).
double check_case(const Layout& lay, int64_t hd, Shape sh, int64_t S) {
  const int64_t width = sh.kv_heads * hd;
  KvShape shape;
  shape.n_layers = 1, shape.n_heads = sh.heads, shape.n_kv_heads = sh.kv_heads, shape.head_dim = hd, shape.max_tokens = S, shape.batch = sh.batch;
  shape.device = at::Device(at::kCUDA);
  SideStore k(lay.policy, width, at::kHalf, S), v(lay.policy, width, at::kHalf, S);
  fill(k, sh.batch, S, width, 48);
  fill(v, sh.batch, S, width, 48);
  double err32 = 0;
  for (at::ScalarType dt : {at::kFloat, at::kHalf}) {
    at::Tensor q = at::randn({sh.batch, sh.heads, 1, hd}, at::TensorOptions().device(at::kCUDA)).to(dt);
    const std::string why = fused_decode_unsupported(shape, k, v, q);
    EXPECT_EQ(why, "") << lay.name << " hd " << hd;
    if (!why.empty()) return 1;
    const at::Tensor ref = reference(shape, k, v, q);
    for (DecodeKernel kernel : {DecodeKernel::kTensorCores, DecodeKernel::kCudaCores}) {
      const std::string name = fused_decode_kernel_name(shape, k, v, q, kernel);
      if (kernel == DecodeKernel::kTensorCores) {
        EXPECT_EQ(name, hd == 128 ? "tensor cores" : "cuda cores") << lay.name;  // served wherever head_dim is 128
        if (hd != 128) continue;  // the CUDA-core pass below covers it
      }
      at::Tensor out = at::full(q.sizes(), NAN, q.options());
      fused_decode_attention(shape, k, v, q, out, kernel);
      const double err = rel_error(out, ref);
      const double tol = dt == at::kFloat ? 1e-3 : 2e-3;  // f16 output rounding adds ~5e-4
      const std::string what = std::string(lay.name) + " [" + name + "] hd " + std::to_string(hd) + " B " + std::to_string(sh.batch) + " Hkv " +
                               std::to_string(sh.kv_heads) + " Hq " + std::to_string(sh.heads) + " S " + std::to_string(S);
      EXPECT_TRUE(at::isfinite(out).all().item<bool>()) << what;
      EXPECT_LT(err, tol) << what;
      if (dt == at::kFloat) err32 = std::max(err32, err);
    }
  }
  return err32;
}

TEST(PackedAttention, MatchesTheDequantizedReferenceEverywhere) {
  at::manual_seed(1234);
  int checked = 0;
  double worst = 0;
  for (int64_t hd : {16, 32, 64, 128}) {
    for (Shape sh : {Shape{1, 4, 4}, Shape{3, 2, 8}, Shape{1, 1, 8}, Shape{3, 3, 6}, Shape{1, 2, 32}}) {
      for (const Layout& lay : layouts(sh.kv_heads * hd)) {
        if (!lay.policy.full_precision && (sh.kv_heads * hd) % lay.policy.quant.group != 0) continue;
        for (int64_t S : {1, 2, 63, 64, 65, 127, 128, 129, 4095, 4097}) {
          if (hd <= 32 && S > 129 && sh.batch > 1) continue;  // the small heads' large contexts once
          if (sh.heads == 32 && hd != 128) continue;          // 16 query heads per KV head: the tensor-core head blocks
          worst = std::max(worst, check_case(lay, hd, sh, S));
          ++checked;
          if (::testing::Test::HasFailure()) return;
        }
      }
    }
  }
  std::cout << checked << " configurations x (f32, f16 queries); worst relative error with f32 queries " << worst << "\n";
}

// Small enough to run under compute-sanitizer memcheck and racecheck.
TEST(PackedAttention, SanitizerSizedCases) {
  at::manual_seed(99);
  for (const Layout& lay : layouts(256)) check_case(lay, 128, Shape{3, 2, 8}, 129);
  for (const Layout& lay : layouts(128)) check_case(lay, 128, Shape{1, 1, 1}, 37);
  for (const Layout& lay : layouts(64)) check_case(lay, 16, Shape{1, 4, 8}, 130);
}

TEST(PackedAttention, SaysWhyItCannotRun) {
  KvShape shape;
  shape.n_layers = 1, shape.n_heads = 4, shape.n_kv_heads = 4, shape.head_dim = 128, shape.batch = 1, shape.max_tokens = 8;
  TokenPolicy p = token_rows(QuantScheme::kAsymmetric, 3, 128);
  SideStore k(p, 512, at::kHalf), v(p, 512, at::kHalf);
  at::manual_seed(7);
  fill(k, 1, 8, 512, 16);
  fill(v, 1, 8, 512, 16);
  at::Tensor q = at::randn({1, 4, 1, 128}, at::TensorOptions().device(at::kCUDA));
  EXPECT_NE(fused_decode_unsupported(shape, k, v, q).find("code widths"), std::string::npos);
  at::Tensor out = at::empty_like(q);
  EXPECT_THROW(fused_decode_attention(shape, k, v, q, out), std::exception);
  EXPECT_NE(fused_decode_unsupported(shape, k, v, q.cpu()).find("not on a CUDA device"), std::string::npos);
}

}  // namespace
}  // namespace qs
