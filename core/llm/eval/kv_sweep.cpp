#include "core/llm/eval/kv_sweep.h"

#include <cmath>

#include "core/common/error.h"
#include "core/common/timer.h"
#include "core/llm/eval/logit_file.h"

namespace qs {

const char* protocol_name(EvalProtocol p) { return p == EvalProtocol::kPrefill ? "prefill" : "decode"; }

SweepCodec SweepCodec::parse(const std::string& text) {
  SweepCodec c;
  c.label = text;
  std::string types = text;
  if (size_t at = text.find('@'); at != std::string::npos) {
    types = text.substr(0, at);
    c.kv_opt = text.substr(at + 1);
    for (char& ch : c.kv_opt)
      if (ch == ':') ch = ',';  // "rotatekv-2@group=8:reorder=none": ',' already separates codecs
  }
  if (size_t slash = types.find('/'); slash != std::string::npos) {
    c.k_type = types.substr(0, slash);
    c.v_type = types.substr(slash + 1);
  } else {
    c.k_type = c.v_type = types;
  }
  if (c.k_type.empty() || c.v_type.empty()) fail(ErrorKind::kInvalidArgument, "codec '" + text + "': expected TYPE, K/V or TYPE@key=value");
  return c;
}

namespace {

struct Running {
  SweepCodec codec;
  std::unique_ptr<KvCache> cache;
  double nll = 0;
  KldStats kld;
  double bits_k = 0, bits_v = 0;
  double seconds = 0;
};

// Bits per element of one window's side as a batch-1 cache would hold it: the per-row parts
// divided among the group's windows, the per-cache tables counted whole.
double side_bits(const KvCache& cache, KvRole role, int64_t elements, int64_t group) {
  const KvMemory m = cache.side_memory(role);
  return 8.0 * (double(m.total() - m.tables) / double(group) + double(m.tables)) / double(elements);
}

}  // namespace

std::vector<SweepRow> kv_sweep(const Transformer& model, const std::vector<int32_t>& tokens, const std::vector<SweepCodec>& codecs,
                               const SweepOptions& o, const ProgressFn& progress, const CancelToken& cancel) {
  const ModelConfig& c = model.config();
  if (o.ctx < 2 || o.ctx > c.context_length) fail(ErrorKind::kInvalidArgument, "--ctx must be in 2.." + std::to_string(c.context_length));
  const int64_t available = int64_t(tokens.size()) / o.ctx;
  if (available == 0) fail(ErrorKind::kInvalidArgument, "the text has fewer tokens than one window of " + std::to_string(o.ctx));
  const int64_t elements = o.ctx * c.n_layers * c.n_kv_heads * c.head_dim;  // per side and window
  std::vector<SweepRow> rows;
  int64_t total_steps = 0, done = 0;
  std::vector<int64_t> windows_of;
  for (EvalProtocol p : o.protocols) {
    int64_t n = o.max_windows > 0 ? std::min(available, o.max_windows) : available;
    if (p == EvalProtocol::kDecode && o.decode_max_windows > 0) n = std::min(n, o.decode_max_windows);
    windows_of.push_back(n);
    total_steps += n;
  }
  if (o.batch < 1) fail(ErrorKind::kInvalidArgument, "--batch must be at least 1");
  for (size_t pi = 0; pi < o.protocols.size(); ++pi) {
    const EvalProtocol protocol = o.protocols[pi];
    std::vector<Running> runs;
    runs.push_back(Running{SweepCodec::parse(o.reference)});
    for (const auto& sc : codecs) runs.push_back(Running{sc});
    int64_t cache_batch = 0;  // the caches are made again for a last, smaller group of windows
    int64_t windows_done = 0;
    bool stopped = false;
    for (int64_t w0 = 0; w0 < windows_of[pi]; w0 += o.batch) {
      if (o.keep_partial && windows_done > 0 && cancel.cancelled()) {
        stopped = true;
        break;
      }
      cancel.check();
      const int64_t group = std::min(o.batch, windows_of[pi] - w0);
      if (group != cache_batch) {
        for (Running& r : runs) {
          KvOptions opts = KvOptions::parse(r.codec.kv_opt);
          opts.reorder_source = o.base_options.reorder_source;
          r.cache = model.make_cache(r.codec.k_type, r.codec.v_type, o.ctx, group, opts);
        }
        cache_batch = group;
      }
      std::vector<std::vector<int32_t>> windows;
      std::vector<int64_t> targets;
      for (int64_t w = w0; w < w0 + group; ++w) {
        windows.emplace_back(tokens.begin() + w * o.ctx, tokens.begin() + (w + 1) * o.ctx);
        targets.insert(targets.end(), windows.back().begin() + 1, windows.back().end());
      }
      at::Tensor target = at::tensor(targets, at::TensorOptions().dtype(at::kLong)).view({group, o.ctx - 1, 1});
      at::Tensor ref;
      for (Running& r : runs) {
        Stopwatch clock;
        at::Tensor logp = windows_log_probs(model, *r.cache, windows, protocol);
        r.seconds += clock.seconds();
        r.nll += -logp.gather(2, target).sum().item<double>();
        if (!ref.defined()) ref = logp;
        for (int64_t b = 0; b < group; ++b) add_kld(ref[b], logp[b], &r.kld);
        r.bits_k += double(group) * side_bits(*r.cache, KvRole::kKey, elements, group);
        r.bits_v += double(group) * side_bits(*r.cache, KvRole::kValue, elements, group);
      }
      done += group;
      windows_done += group;
      if (progress) progress(done, total_steps);
    }
    const int64_t n = windows_done;
    const double count = double(n * (o.ctx - 1));
    const double ref_ppl = std::exp(runs.front().nll / count);
    for (const Running& r : runs) {
      SweepRow row;
      row.codec = r.codec.label;
      row.k_type = r.codec.k_type;
      row.v_type = r.codec.v_type;
      row.protocol = protocol_name(protocol);
      row.windows = n;
      row.tokens = int64_t(count);
      row.nll = r.nll / count;
      row.ppl = std::exp(row.nll);
      row.delta_ppl = row.ppl - ref_ppl;
      row.kld = r.kld.mean_kld();
      row.kld_p99 = r.kld.quantile(0.99);
      row.top1 = r.kld.top1_rate();
      row.bits_k = r.bits_k / double(n);
      row.bits_v = r.bits_v / double(n);
      row.seconds = r.seconds;
      rows.push_back(row);
    }
    if (stopped) break;
  }
  return rows;
}

}  // namespace qs
