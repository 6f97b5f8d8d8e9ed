// RotateKV's channel-reorder calibration: run the model in full precision over calibration
// text, collect the keys each codec basis quantizes, sum every channel over all tokens (signed)
// and argsort ascending, per layer (pre-RoPE grouped basis) and per layer and KV head (post-RoPE
// per-head basis of rotatekv-post). The text must not be the evaluation text.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/common/cancel.h"
#include "core/kv/channel_reorder.h"
#include "core/kv/kv_options.h"
#include "core/llm/model/transformer.h"

namespace qs {

struct CalibrationOptions {
  int64_t max_tokens = 0;  // 0: every token
  int64_t ctx = 512;       // window length (non-overlapping)
  std::string source;      // recorded in the file
};

ChannelReorder calibrate_channel_reorder(const Transformer& model, const std::vector<int32_t>& tokens, const CalibrationOptions& options,
                                         const ProgressFn& progress, const CancelToken& cancel);

// The reorder source codecs call: the explicit file when given, else the default path named after
// the model's hash. Either way the file is checked against the model (hash and shape).
std::function<std::shared_ptr<const ChannelReorder>()> reorder_source_for(const LoadedModel& model, const std::string& explicit_path);

}  // namespace qs
