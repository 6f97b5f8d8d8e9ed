#include "core/kv/packed_stores.h"

#include <algorithm>
#include <mutex>
#include <set>

#include "core/common/error.h"
#include "core/common/log.h"
#include "core/kv/bit_pack.h"
#include "core/kv/fused_kernels.h"

namespace qs {
namespace {

// Grows t along `dim` to hold `needed` rows (doubling, never past `limit`), keeping the first
// `used` rows.
void grow(at::Tensor& t, std::vector<int64_t> row_shape, at::ScalarType dtype, const at::Tensor& like, int64_t used, int64_t needed, int64_t limit,
          int64_t dim = 1) {
  const int64_t cap = t.defined() ? t.size(dim) : 0;
  if (needed <= cap) return;
  row_shape[size_t(dim)] = std::max<int64_t>(needed, std::min<int64_t>(limit, std::max<int64_t>(16, 2 * cap)));
  at::Tensor n = at::zeros(row_shape, like.options().dtype(dtype));
  if (t.defined() && used > 0) n.narrow(dim, 0, used).copy_(t.narrow(dim, 0, used));
  t = n;
}

void log_once(const std::string& message) {
  static std::mutex mutex;
  static std::set<std::string> said;
  std::lock_guard<std::mutex> lock(mutex);
  if (said.insert(message).second) QS_WARN(message);
}

int64_t groups_of(int64_t n, const QuantSpec& spec) {
  if (n % spec.group != 0)
    fail(ErrorKind::kInvalidArgument, "KV cache: " + std::to_string(n) + " elements are not a whole number of groups of " + std::to_string(spec.group) + " (" + spec.describe() + ")");
  return n / spec.group;
}

at::ScalarType zero_dtype(const QuantSpec& spec) { return spec.meta == MetaFormat::kF16 ? at::kHalf : at::kChar; }
at::ScalarType scale_dtype(const QuantSpec& spec) {
  return spec.scheme == QuantScheme::kAsymmetric && spec.meta == MetaFormat::kFp8ScaleInt8Zero ? at::kByte : at::kHalf;
}
bool has_zero(const QuantSpec& spec) { return spec.scheme == QuantScheme::kAsymmetric; }

}  // namespace

PackedTokenStore::PackedTokenStore(const QuantSpec& spec, int64_t width, int64_t max_tokens, int64_t heads)
    : spec_(spec), width_(width), max_rows_(max_tokens) {
  spec_.validate();
  groups_of(width, spec_);
  // Head-major where each head holds whole groups and whole bytes; else one segment per row.
  const bool split = heads > 1 && width % heads == 0 && (width / heads) % spec_.group == 0 && (width / heads) * spec_.bits % 8 == 0;
  heads_ = split ? heads : 1;
}

void PackedTokenStore::reserve(const at::Tensor& like, int64_t needed) {
  const int64_t B = like.size(0), G = width_ / spec_.group / heads_;
  grow(codes_, {B, heads_, 0, packed_bytes(width_ / heads_, spec_.bits)}, at::kByte, like, n_, needed, max_rows_, 2);
  grow(scale_, {B, heads_, 0, G}, scale_dtype(spec_), like, n_, needed, max_rows_, 2);
  if (has_zero(spec_)) grow(zero_, {B, heads_, 0, G}, zero_dtype(spec_), like, n_, needed, max_rows_, 2);
}

at::Tensor PackedTokenStore::to_segments(const at::Tensor& rows) const {
  return rows.reshape({rows.size(0), rows.size(1), heads_, rows.size(2) / heads_}).permute({0, 2, 1, 3});
}

at::Tensor PackedTokenStore::to_rows(const at::Tensor& segments) const {
  return segments.permute({0, 2, 1, 3}).reshape({segments.size(0), segments.size(2), segments.size(1) * segments.size(3)});
}

void PackedTokenStore::append(const at::Tensor& x) {
  if (x.dim() != 3 || x.size(2) != width_) fail(ErrorKind::kInvalidArgument, "KV store: tokens must be [batch, T, " + std::to_string(width_) + "]");
  const int64_t T = x.size(1);
  if (T == 0) return;
  reserve(x, n_ + T);
  if (x.is_cuda()) {  // one kernel instead of the tensor ops below, where it covers the spec
    const std::string why = try_fused_quantize_rows(spec_, x, codes_, scale_, zero_, n_);
    if (why.empty()) {
      n_ += T;
      return;
    }
    log_once("KV store (" + spec_.describe() + "): no quantize kernel (" + why + "); using tensor ops");
  }
  QuantizedGroups q = quantize_groups(x, spec_);
  codes_.narrow(2, n_, T).copy_(to_segments(pack_bits(q.codes, spec_.bits)));
  scale_.narrow(2, n_, T).copy_(to_segments(q.scale));
  if (has_zero(spec_)) zero_.narrow(2, n_, T).copy_(to_segments(q.zero));
  n_ += T;
}

at::Tensor PackedTokenStore::read_range(int64_t from, int64_t to) const {
  QuantizedGroups q;
  q.codes = unpack_bits(to_rows(codes_.narrow(2, from, to - from)), spec_.bits, width_);
  q.scale = to_rows(scale_.narrow(2, from, to - from));
  if (has_zero(spec_)) q.zero = to_rows(zero_.narrow(2, from, to - from));
  return dequantize_groups(q, spec_);
}

at::Tensor PackedTokenStore::read() const { return n_ ? read_range(0, n_) : at::Tensor(); }

void PackedTokenStore::truncate(int64_t n) { n_ = std::clamp<int64_t>(n, 0, n_); }

int64_t PackedTokenStore::code_bytes() const { return codes_.defined() ? codes_.size(0) * heads_ * n_ * codes_.size(3) : 0; }

int64_t PackedTokenStore::meta_bytes() const {
  if (!scale_.defined()) return 0;
  const int64_t per_row = scale_.size(3) * int64_t(scale_.element_size()) + (zero_.defined() ? zero_.size(3) * int64_t(zero_.element_size()) : 0);
  return scale_.size(0) * heads_ * n_ * per_row;
}

ChannelChunkStore::ChannelChunkStore(const QuantSpec& spec, int64_t width, int64_t chunk, int64_t max_tokens)
    : spec_(spec), width_(width), chunk_(chunk), max_rows_(std::max<int64_t>(1, max_tokens / std::max<int64_t>(1, chunk))) {
  spec_.validate();
  if (chunk <= 0) fail(ErrorKind::kInvalidArgument, "KV store: the residual length must be positive");
  groups_of(chunk, spec_);
}

void ChannelChunkStore::append_chunk(const at::Tensor& x) {
  if (x.dim() != 3 || x.size(1) != chunk_ || x.size(2) != width_)
    fail(ErrorKind::kInvalidArgument, "KV store: a chunk must be [batch, " + std::to_string(chunk_) + ", " + std::to_string(width_) + "]");
  const int64_t B = x.size(0), G = chunk_ / spec_.group;
  grow(codes_, {B, 0, width_, packed_bytes(chunk_, spec_.bits)}, at::kByte, x, n_, n_ + 1, max_rows_);
  grow(scale_, {B, 0, width_, G}, scale_dtype(spec_), x, n_, n_ + 1, max_rows_);
  grow(zero_, {B, 0, width_, G}, zero_dtype(spec_), x, n_, n_ + 1, max_rows_);
  QuantizedGroups q = quantize_groups(x.transpose(1, 2), spec_);  // [B, width, chunk]: groups along tokens
  codes_.select(1, n_).copy_(pack_bits(q.codes, spec_.bits));
  scale_.select(1, n_).copy_(q.scale);
  zero_.select(1, n_).copy_(q.zero);
  ++n_;
}

at::Tensor ChannelChunkStore::read() const {
  if (!n_) return at::Tensor();
  QuantizedGroups q;
  q.codes = unpack_bits(codes_.narrow(1, 0, n_), spec_.bits, chunk_);  // [B, n, width, chunk]
  q.scale = scale_.narrow(1, 0, n_);
  q.zero = zero_.narrow(1, 0, n_);
  at::Tensor x = dequantize_groups(q, spec_);                          // [B, n, width, chunk]
  return x.transpose(2, 3).reshape({x.size(0), n_ * chunk_, width_});
}

void ChannelChunkStore::truncate_chunks(int64_t n_chunks) { n_ = std::clamp<int64_t>(n_chunks, 0, n_); }

int64_t ChannelChunkStore::code_bytes() const { return codes_.defined() ? codes_.size(0) * n_ * width_ * codes_.size(3) : 0; }

int64_t ChannelChunkStore::meta_bytes() const {
  if (!scale_.defined()) return 0;
  return scale_.size(0) * n_ * width_ * scale_.size(3) * int64_t(scale_.element_size() + zero_.element_size());
}

}  // namespace qs
