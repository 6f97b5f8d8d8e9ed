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

// A Hugging Face folder may ship its reorder beside the weights (resources/models/qs-ref-llm does).
constexpr const char* kShippedReorderFile = "channel-reorder.qsreorder";
// That file's path for this model ("" for formats that are one file).
std::string shipped_reorder_path(const LoadedModel& model);

// The reorder source codecs call: the explicit file when given, else the user's calibration at
// the default path named after the model's hash, else the file the model folder ships. Either
// way the file is checked against the model (hash and shape), so a stale one is refused.
std::function<std::shared_ptr<const ChannelReorder>()> reorder_source_for(const LoadedModel& model, const std::string& explicit_path);
// Calibrates the model's reorder on the first max_tokens tokens of a text file (at most 64 MiB
// read) and writes it to default_reorder_path (replacing a file there only with overwrite).
// Returns the path written; `summary` gets "N tokens of FILE, L layers". Error naming the problem
// for an unreadable file, a text shorter than one window, or an existing file without overwrite.
std::string calibrate_default_reorder(const Transformer& model, const LoadedModel& loaded, const std::string& text_path, int64_t max_tokens, bool overwrite,
                                      const ProgressFn& progress, const CancelToken& cancel, std::string* summary);

// Where that source finds this model's reorder without an explicit file (the user's calibration,
// else the shipped one), or "" when there is none yet.
std::string found_reorder_path(const LoadedModel& model);

}  // namespace qs
