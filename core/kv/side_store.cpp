#include "core/kv/side_store.h"

#include <algorithm>

#include "core/common/error.h"
#include "core/kv/massive_activations.h"

namespace qs {

SideStore::SideStore(const TokenPolicy& policy, int64_t width, at::ScalarType fp_dtype, int64_t max_tokens, int64_t heads)
    : policy_(policy), width_(width), fp_dtype_(fp_dtype) {
  if (policy_.full_precision) return;
  if (policy_.per_channel) {
    chunks_ = std::make_unique<ChannelChunkStore>(policy_.quant, width, policy_.window, max_tokens);
  } else {
    tokens_ = std::make_unique<PackedTokenStore>(policy_.quant, width, max_tokens, heads);
  }
}

int64_t SideStore::quantized_length() const {
  if (tokens_) return tokens_->length();
  if (chunks_) return chunks_->length();
  return 0;
}

void SideStore::append(const at::Tensor& x, const at::Tensor& hidden, bool detect_sinks) {
  const int64_t B = x.size(0), T = x.size(1);
  if (T == 0) return;
  const int64_t start = len_;
  if (detect_sinks && policy_.sinks != SinkRule::kNone && policy_.sink_count > 0) {
    at::Tensor mask = policy_.sinks == SinkRule::kTopEntries ? massive_activation_tokens(hidden, policy_.sink_count)
                                                             : top_tokens_by_max_abs(hidden, policy_.sink_count);
    const int64_t m = mask.sum(1).max().item<int64_t>();
    at::Tensor pos = at::full({B, m}, -1, x.options().dtype(at::kLong));
    at::Tensor vals = at::zeros({B, m, width_}, x.options().dtype(fp_dtype_));
    at::Tensor mask_cpu = mask.to(at::kCPU);
    for (int64_t b = 0; b < B; ++b) {
      at::Tensor idx = mask_cpu[b].nonzero().view(-1).to(x.device());
      const int64_t n = idx.size(0);
      if (!n) continue;
      pos[b].narrow(0, 0, n).copy_(idx + start);
      vals[b].narrow(0, 0, n).copy_(x[b].index_select(0, idx));
    }
    sink_pos_ = sink_pos_.defined() ? at::cat({sink_pos_, pos}, 1) : pos;
    sink_vals_ = sink_vals_.defined() ? at::cat({sink_vals_, vals}, 1) : vals;
  }
  len_ += T;
  if (tokens_ && policy_.window == 0) {  // nothing stays recent: quantize the values as computed
    tokens_->append(x);
    return;
  }
  at::Tensor r = x.to(fp_dtype_);
  recent_ = recent_.defined() && recent_.size(1) ? at::cat({recent_, r}, 1) : r;
  flush();
}

// Moves tokens that left the recent window into the quantized store.
void SideStore::flush() {
  if (policy_.full_precision) return;
  const int64_t held = recent_.size(1);
  int64_t move = 0;
  if (chunks_) {
    const int64_t R = chunks_->chunk();
    for (; held - move >= R; move += R) chunks_->append_chunk(recent_.narrow(1, move, R).to(at::kFloat));
  } else {
    move = std::max<int64_t>(0, held - policy_.window);
    if (move) tokens_->append(recent_.narrow(1, 0, move).to(at::kFloat));
  }
  if (move) recent_ = recent_.narrow(1, move, held - move).contiguous();
}

at::Tensor SideStore::read(at::ScalarType dtype) const {
  std::vector<at::Tensor> parts;
  if (tokens_ && tokens_->length()) parts.push_back(tokens_->read().to(dtype));
  if (chunks_ && chunks_->length()) parts.push_back(chunks_->read().to(dtype));
  if (recent_.defined() && recent_.size(1)) parts.push_back(recent_.to(dtype));
  if (parts.empty()) fail(ErrorKind::kInternal, "KV store: read before anything was stored");
  at::Tensor out = parts.size() == 1 ? parts[0] : at::cat(parts, 1);
  at::Tensor valid;
  if (at::Tensor rows = sink_rows(&valid); rows.defined()) {
    at::Tensor vals = sink_vals_.to(dtype).masked_select(valid.unsqueeze(-1)).view({-1, width_});
    out = out.contiguous();
    out.view({out.size(0) * len_, width_}).index_copy_(0, rows, vals);
  }
  return out;
}

SideTensors SideStore::tensors() const {
  SideTensors t;
  t.policy = &policy_;
  t.tokens = tokens_.get();
  t.has_chunks = chunks_ != nullptr;
  t.quantized_length = quantized_length();
  t.recent = recent_;
  t.sink_pos = sink_pos_;
  t.sink_vals = sink_vals_;
  return t;
}

at::Tensor SideStore::full_precision_mask(int64_t batch, const at::TensorOptions& options) const {
  at::Tensor m = at::zeros({batch, len_}, options.dtype(at::kBool));
  m.narrow(1, quantized_length(), len_ - quantized_length()).fill_(true);
  if (at::Tensor rows = sink_rows(); rows.defined()) m.view(-1).index_fill_(0, rows, true);
  return m;
}

at::Tensor SideStore::sink_rows(at::Tensor* valid_out) const {
  if (!sink_pos_.defined() || !sink_pos_.numel()) return at::Tensor();
  at::Tensor valid = (sink_pos_ >= 0) & (sink_pos_ < len_);
  if (valid_out) *valid_out = valid;
  at::Tensor batch = at::arange(sink_pos_.size(0), sink_pos_.options()).unsqueeze(1).expand_as(sink_pos_);
  return (batch * len_ + sink_pos_).masked_select(valid);
}

void SideStore::truncate(int64_t n) {
  n = std::clamp<int64_t>(n, 0, len_);
  if (n == len_) return;
  const int64_t q = quantized_length();
  if (n >= q) {
    recent_ = recent_.narrow(1, 0, n - q);
  } else if (tokens_) {
    tokens_->truncate(n);
    if (recent_.defined()) recent_ = recent_.narrow(1, 0, 0);
  } else if (chunks_) {
    // Keep whole chunks; the tail of a cut chunk stays as it reads back (dequantized).
    const int64_t R = chunks_->chunk(), keep = n / R;
    at::Tensor tail = n > keep * R ? chunks_->read().narrow(1, keep * R, n - keep * R).to(fp_dtype_) : at::Tensor();
    chunks_->truncate_chunks(keep);
    recent_ = tail;
  }
  if (sink_pos_.defined()) sink_pos_ = at::where(sink_pos_ < n, sink_pos_, at::full_like(sink_pos_, -1));
  len_ = n;
}

void SideStore::clear() {
  truncate(0);
  sink_pos_ = at::Tensor();
  sink_vals_ = at::Tensor();
  recent_ = at::Tensor();
}

KvMemory SideStore::memory() const {
  KvMemory m;
  if (tokens_) m.packed += tokens_->code_bytes(), m.metadata += tokens_->meta_bytes();
  if (chunks_) m.packed += chunks_->code_bytes(), m.metadata += chunks_->meta_bytes();
  if (recent_.defined()) m.full_precision += recent_.numel() * int64_t(recent_.element_size());
  if (at::Tensor rows = sink_rows(); rows.defined()) {
    const int64_t n = rows.numel();
    m.full_precision += n * width_ * int64_t(c10::elementSize(fp_dtype_));
    m.metadata += n * 4;  // a 32-bit position per sink
  }
  return m;
}

}  // namespace qs
