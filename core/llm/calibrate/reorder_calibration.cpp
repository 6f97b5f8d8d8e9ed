#include "core/llm/calibrate/reorder_calibration.h"

#include <filesystem>
#include <fstream>

#include "core/common/error.h"
#include "core/common/file_bytes.h"
#include "core/kv/hadamard.h"
#include "core/llm/tokenizer/tokenizer.h"

namespace qs {
namespace {

// Sums, per layer, the pre-RoPE keys after the grouped Hadamard ([Hkv*hd]) and the post-RoPE keys
// after the per-head Hadamard ([Hkv, hd]) over every token it sees.
class KeyChannelSums : public TapObserver {
 public:
  KeyChannelSums(int64_t layers, int64_t heads, int64_t hd, int64_t group) : heads_(heads), hd_(hd), group_(group) {
    pre_.assign(size_t(layers), at::zeros({heads * hd}, at::kDouble));
    post_.assign(size_t(layers), at::zeros({heads, hd}, at::kDouble));
  }
  bool wants(Tap tap, int) const override { return tap == Tap::kKPreRope || tap == Tap::kKPostRope; }
  void on_tap(Tap tap, int layer, const at::Tensor& k) override {  // [B, Hkv, T, hd]
    at::Tensor x = k.to(at::kCPU, at::kDouble);
    if (tap == Tap::kKPreRope) {
      at::Tensor rows = x.transpose(1, 2).reshape({-1, heads_ * hd_});
      pre_[size_t(layer)] += fwht_blocks(rows, group_ * hd_).sum(0);
    } else {
      post_[size_t(layer)] += fwht(x).sum(at::IntArrayRef{0, 2});
    }
  }
  std::vector<at::Tensor> pre_, post_;

 private:
  int64_t heads_, hd_, group_;
};

}  // namespace

ChannelReorder calibrate_channel_reorder(const Transformer& model, const std::vector<int32_t>& tokens, const CalibrationOptions& o,
                                         const ProgressFn& progress, const CancelToken& cancel) {
  const ModelConfig& c = model.config();
  if (!is_power_of_two(c.head_dim)) fail(ErrorKind::kUnsupported, "calibration: head_dim " + std::to_string(c.head_dim) + " is not a power of two");
  if (o.ctx < 2) fail(ErrorKind::kInvalidArgument, "calibration: --ctx must be at least 2 tokens, not " + std::to_string(o.ctx));
  if (o.max_tokens < 0) fail(ErrorKind::kInvalidArgument, "calibration: --tokens must not be negative, not " + std::to_string(o.max_tokens));
  const int64_t ctx = std::min<int64_t>(o.ctx, c.context_length);
  int64_t usable = o.max_tokens > 0 ? std::min<int64_t>(o.max_tokens, int64_t(tokens.size())) : int64_t(tokens.size());
  const int64_t windows = (usable + ctx - 1) / ctx;
  if (usable < 2) fail(ErrorKind::kInvalidArgument, "calibration: the text has fewer than 2 tokens");
  ChannelReorder r;
  r.model_hash = model.model().file_hash();
  r.n_layers = c.n_layers;
  r.n_kv_heads = c.n_kv_heads;
  r.head_dim = c.head_dim;
  r.head_group = rotation_head_group(c.n_kv_heads);
  r.source = o.source;
  KeyChannelSums sums(c.n_layers, c.n_kv_heads, c.head_dim, r.head_group);
  auto cache = model.make_cache("f32", "f32", ctx, 1);
  for (int64_t w = 0; w < windows; ++w) {
    cancel.check();
    const int64_t begin = w * ctx, n = std::min(ctx, usable - begin);
    std::vector<int64_t> ids(tokens.begin() + begin, tokens.begin() + begin + n);
    cache->clear();
    model.forward(at::tensor(ids, at::TensorOptions().dtype(at::kLong)).view({1, n}), *cache, true, &sums);
    r.tokens += n;
    if (progress) progress(w + 1, windows);
  }
  r.pre = at::stack(sums.pre_).argsort(int64_t(1));
  r.post = at::stack(sums.post_).argsort(int64_t(2));
  return r;
}

std::string shipped_reorder_path(const LoadedModel& model) {
  if (model.format != "huggingface") return "";
  return (std::filesystem::path(model.path) / kShippedReorderFile).string();
}

std::string calibrate_default_reorder(const Transformer& model, const LoadedModel& m, const std::string& text_path, int64_t max_tokens, bool overwrite,
                                      const ProgressFn& progress, const CancelToken& cancel, std::string* summary) {
  require_regular_file(text_path, "calibration text");
  std::ifstream in(text_path, std::ios::binary);
  if (!in) fail(ErrorKind::kIo, "cannot read '" + text_path + "'");
  // 64 MiB of text is far more tokens than calibration uses; a larger file is read in part.
  std::string text(size_t(std::min<uintmax_t>(std::filesystem::file_size(text_path), uintmax_t(64) << 20)), '\0');
  in.read(text.data(), std::streamsize(text.size()));
  text.resize(size_t(in.gcount()));
  const std::vector<int32_t> tokens = m.tokenizer->encode(text, true, false);
  CalibrationOptions o;
  o.max_tokens = max_tokens;
  o.ctx = std::min<int64_t>(512, m.config.context_length);
  o.source = std::filesystem::path(text_path).filename().string();
  if (int64_t(tokens.size()) < o.ctx)
    fail(ErrorKind::kInvalidArgument, "the calibration text has " + std::to_string(tokens.size()) + " tokens; at least one window of " + std::to_string(o.ctx) + " is needed");
  const std::string out = default_reorder_path(m.file_hash());
  if (!overwrite && std::filesystem::exists(out)) fail(ErrorKind::kInvalidArgument, "'" + out + "' exists");
  const ChannelReorder r = calibrate_channel_reorder(model, tokens, o, progress, cancel);
  std::filesystem::create_directories(std::filesystem::path(out).parent_path());
  write_channel_reorder(out, r, overwrite);
  if (summary) *summary = std::to_string(r.tokens) + " tokens of " + r.source + ", " + std::to_string(r.n_layers) + " layers";
  return out;
}

std::string found_reorder_path(const LoadedModel& model) {
  const std::string user = default_reorder_path(model.file_hash());
  if (std::filesystem::exists(user)) return user;
  const std::string shipped = shipped_reorder_path(model);
  return !shipped.empty() && std::filesystem::exists(shipped) ? shipped : "";
}

std::function<std::shared_ptr<const ChannelReorder>()> reorder_source_for(const LoadedModel& model, const std::string& explicit_path) {
  const LoadedModel* m = &model;
  return [m, explicit_path]() {
    const std::string hash = m->file_hash();
    std::string path = explicit_path;
    if (path.empty()) {
      path = found_reorder_path(*m);
      if (path.empty())
        fail(ErrorKind::kInvalidArgument, "no channel-reorder file for this model at " + default_reorder_path(hash) +
                                              ": run `quantiscope calibrate --model M --data TEXT` (or pass --kv-reorder FILE, or --kv-opt reorder=none)");
    }
    auto r = std::make_shared<ChannelReorder>(read_channel_reorder(path));
    check_reorder_matches(*r, hash, m->config.n_layers, m->config.n_kv_heads, m->config.head_dim);
    return std::shared_ptr<const ChannelReorder>(r);
  };
}

}  // namespace qs
