// quantiscope kv-report: bits per element and bytes of every cache type for a model's shape at a
// context and batch, computed from each codec's storage policy (sinks at their maximum count).
#include <iomanip>
#include <iostream>

#include "app/cli/commands.h"
#include "app/cli/console.h"
#include "core/common/error.h"
#include "core/kv/kv_side.h"
#include "core/llm/model/random_init.h"

namespace qs::cli {
namespace {

struct ReportRow {
  std::string codec, meta;
  SideFootprint k, v;
};

bool footprint(const KvShape& base, const std::string& codec, const std::string& opts, ReportRow* row) {
  KvShape s = base;
  s.options = KvOptions::parse(opts);
  const KvFootprint f = kv_footprint(s, codec, codec);
  if (!f.unused_options.empty()) return false;  // the codec has no such option (e.g. meta= for llama.cpp blocks)
  row->codec = codec;
  if (f.full_precision) row->meta = "-";
  row->k = f.k;
  row->v = f.v;
  return true;
}

}  // namespace

int cmd_kv_report(int argc, char** argv) {
  Args a(argc, argv, 2, merge({kModelOptions, {"--batch", "--codecs"}}), {"--csv"}, kAliases);
  ModelConfig c;
  std::string name;
  if (a.has("--random-init")) {
    c = random_init_config(a.get("--random-init"));
    name = a.get("--random-init") + " (shape only)";
  } else {
    auto m = load_model_from_args(a);
    c = m->config;
    name = m->path;
  }
  KvShape s;
  s.n_layers = c.n_layers, s.n_heads = c.n_heads, s.n_kv_heads = c.n_kv_heads, s.head_dim = c.head_dim;
  // Bounds that keep every byte count below 2^63 (the products are also checked below).
  s.max_tokens = a.get_ll_in("--ctx", c.context_length, 1, int64_t(1) << 31);
  s.batch = a.get_ll_in("--batch", 1, 1, int64_t(1) << 20);
  std::vector<std::string> codecs = kv_cache_types();
  if (a.has("--codecs")) codecs = split_list(a.get("--codecs"));
  const std::string user_opts = a.get("--kv-opt");
  std::vector<ReportRow> rows;
  for (const auto& codec : codecs) {
    ReportRow r;
    r.meta = "f16";
    if (footprint(s, codec, user_opts, &r)) rows.push_back(r);
    if (user_opts.find("meta=") == std::string::npos) {
      ReportRow f;
      f.meta = "fp8+int8";
      if (footprint(s, codec, user_opts.empty() ? "meta=fp8" : user_opts + ",meta=fp8", &f)) rows.push_back(f);
    }
  }
  if (rows.empty()) fail(ErrorKind::kInvalidArgument, "--kv-opt " + user_opts + " is not an option of the listed cache types");
  const bool csv = a.flag("--csv");
  if (csv) {
    std::cout << "codec,meta,bits_k,bits_v,avg_bits_k,avg_bits_v,bytes_per_token,total_bytes\n";
  } else {
    std::cout << "KV cache footprint: " << name << ", " << c.n_layers << " layers, " << c.n_kv_heads << " KV heads x " << c.head_dim << ", ctx " << s.max_tokens
              << ", batch " << s.batch << "\n"
              << "bits_*: per element of the quantized part (codes + scale/zero); avg_bits_*: over the whole cache incl. full-precision\n"
              << "windows and sinks (sinks at their maximum); meta: how scale/zero are stored; bytes for K+V, all layers.\n\n"
              << std::left << std::setw(17) << "codec" << std::setw(10) << "meta" << std::right << std::setw(8) << "bits_k" << std::setw(8) << "bits_v" << std::setw(12)
              << "avg_bits_k" << std::setw(12) << "avg_bits_v" << std::setw(17) << "bytes_per_token" << std::setw(16) << "total_bytes" << "\n";
  }
  for (const auto& r : rows) {
    int64_t total = 0;
    if (__builtin_mul_overflow(r.k.bytes + r.v.bytes, s.batch, &total))
      fail(ErrorKind::kInvalidArgument, "--ctx " + std::to_string(s.max_tokens) + " x --batch " + std::to_string(s.batch) + ": the cache would exceed 2^63 bytes");
    const int64_t per_token = (r.k.bytes + r.v.bytes) / s.max_tokens;
    if (csv) {
      std::cout << r.codec << "," << r.meta << "," << r.k.bits_quantized << "," << r.v.bits_quantized << "," << r.k.avg_bits << "," << r.v.avg_bits << "," << per_token << ","
                << total << "\n";
    } else {
      std::cout << std::left << std::setw(17) << r.codec << std::setw(10) << r.meta << std::right << std::fixed << std::setprecision(3) << std::setw(8)
                << r.k.bits_quantized << std::setw(8) << r.v.bits_quantized << std::setw(12) << r.k.avg_bits << std::setw(12) << r.v.avg_bits << std::setw(17) << per_token
                << std::setw(16) << total << "\n";
    }
  }
  return 0;
}

}  // namespace qs::cli
