// Cache codecs x protocols on one model and one text, in lockstep per window: the reference cache
// (f16 unless told) and every codec see the same window, so KL divergence and top-1 agreement
// need no saved logits. Bits per element are measured from the caches' own memory reports.
#pragma once
#include <string>
#include <vector>

#include "core/common/cancel.h"
#include "core/llm/eval/perplexity.h"

namespace qs {

struct SweepCodec {
  std::string label;  // as given: "kivi-2", "q8_0/f16", "rotatekv-2@group=8:reorder=none"
  std::string k_type, v_type;
  std::string kv_opt;  // key=value pairs after '@', separated by ':' ('+' separates list items inside a value)
  static SweepCodec parse(const std::string& text);
};

struct SweepRow {
  std::string codec, k_type, v_type, protocol;
  int64_t windows = 0, tokens = 0;
  double nll = 0, ppl = 0, delta_ppl = 0, kld = 0, kld_p99 = 0, top1 = 0;
  double bits_k = 0, bits_v = 0;  // measured average over the whole cache (codes, metadata, fp parts)
  double seconds = 0;
};

struct SweepOptions {
  int64_t ctx = 256;
  int64_t max_windows = 0;
  std::string reference = "f16";
  std::vector<EvalProtocol> protocols = {EvalProtocol::kPrefill, EvalProtocol::kDecode};
  int64_t decode_max_windows = 0;  // decode is ctx forwards per window: may be capped separately
  int64_t batch = 1;               // windows run side by side through batch-B caches (same results)
  KvOptions base_options;          // reorder source shared by every codec
  // On Cancel after at least one group of windows: return the rows of the windows done (each
  // row's `windows` says how many; later protocols are not run) instead of Error(kCancelled).
  bool keep_partial = false;
};

// One row per (protocol, codec), the reference first with delta 0. Cancel is seen between groups
// of `batch` windows.
std::vector<SweepRow> kv_sweep(const Transformer& model, const std::vector<int32_t>& tokens, const std::vector<SweepCodec>& codecs,
                               const SweepOptions& options, const ProgressFn& progress, const CancelToken& cancel);

const char* protocol_name(EvalProtocol p);

}  // namespace qs
