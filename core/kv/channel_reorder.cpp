#include "core/kv/channel_reorder.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/common/file_bytes.h"
#include "core/common/output_guard.h"

namespace qs {
namespace {

constexpr char kMagic[8] = {'Q', 'S', 'K', 'V', 'R', 'O', '0', '1'};
constexpr uint32_t kVersion = 1;
constexpr size_t kMaxFile = size_t(256) << 20;  // far above any real model; refuses junk early

void put(std::string& out, const void* p, size_t n) { out.append(static_cast<const char*>(p), n); }
template <typename T>
void put(std::string& out, T v) { put(out, &v, sizeof v); }

std::vector<uint8_t> hex_to_bytes(const std::string& hex) {
  std::vector<uint8_t> b;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) b.push_back(uint8_t(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return b;
}

void put_perms(std::string& out, const at::Tensor& t) {
  at::Tensor u = t.to(at::kCPU).to(at::kInt).contiguous();
  put(out, u.data_ptr<int32_t>(), size_t(u.numel()) * 4);
}

at::Tensor get_perms(ByteReader& r, std::vector<int64_t> shape, const char* field) {
  int64_t n = 1;
  for (auto s : shape) n *= s;
  at::Tensor t = at::empty({n}, at::kInt);
  r.read(t.data_ptr<int32_t>(), size_t(n) * 4, field);
  return t.to(at::kLong).view(shape);
}

}  // namespace

bool is_permutation_rows(const at::Tensor& perms) {
  if (perms.dim() < 1 || perms.numel() == 0) return false;
  const int64_t n = perms.size(-1);
  at::Tensor rows = perms.reshape({-1, n}).to(at::kLong);
  if (rows.min().item<int64_t>() < 0 || rows.max().item<int64_t>() >= n) return false;
  at::Tensor sorted = std::get<0>(rows.sort(1));
  return at::equal(sorted, at::arange(n, rows.options()).expand_as(sorted));
}

int64_t rotation_head_group(int64_t n_kv_heads) {
  int64_t g = 4;
  while (g > 1 && (g > n_kv_heads || n_kv_heads % g != 0)) g /= 2;
  return g;
}

void write_channel_reorder(const std::string& path, const ChannelReorder& r, bool overwrite) {
  ensure_may_write(path, overwrite);
  const int64_t C = r.n_kv_heads * r.head_dim;
  if (r.model_hash.size() != 64) fail(ErrorKind::kInvalidArgument, "reorder file: model hash must be 64 hex characters");
  if (r.pre.sizes().vec() != std::vector<int64_t>{r.n_layers, C} || r.post.sizes().vec() != std::vector<int64_t>{r.n_layers, r.n_kv_heads, r.head_dim})
    fail(ErrorKind::kInvalidArgument, "reorder file: permutation shapes do not match the model shape");
  std::string out;
  put(out, kMagic, 8);
  put(out, kVersion);
  put(out, r.model_hash.data(), 64);
  for (int64_t v : {r.n_layers, r.n_kv_heads, r.head_dim, r.head_group}) put(out, uint32_t(v));
  put(out, uint64_t(r.tokens));
  std::string source = r.source.substr(0, 4096);
  put(out, uint32_t(source.size()));
  put(out, source.data(), source.size());
  put_perms(out, r.pre);
  put_perms(out, r.post);
  std::vector<uint8_t> digest = hex_to_bytes(sha256_hex(reinterpret_cast<const uint8_t*>(out.data()), out.size()));
  put(out, digest.data(), digest.size());
  AtomicFile f(path, true);  // callers decide about replacing; a device or FIFO is refused here
  f.write(out.data(), out.size());
  f.commit();
}

ChannelReorder read_channel_reorder(const std::string& path) {
  auto bytes = FileBytes::open(path);
  const std::string what = "reorder file '" + path + "'";
  if (bytes->size() > kMaxFile) fail_format(what + ": " + std::to_string(bytes->size()) + " bytes is too large for a reorder file");
  if (bytes->size() < 8 + 32 || std::memcmp(bytes->data(), kMagic, 8) != 0) fail_format(what + ": not a Quantiscope reorder file (magic QSKVRO01 missing)");
  const size_t body = bytes->size() - 32;
  std::vector<uint8_t> digest = hex_to_bytes(sha256_hex(bytes->data(), body));
  if (std::memcmp(digest.data(), bytes->data() + body, 32) != 0) fail_format(what + ": checksum mismatch (the file is corrupt or was truncated)");
  ByteReader r(bytes->data(), body, what);
  r.skip(8, "magic");
  const uint32_t version = r.get<uint32_t>("version");
  if (version != kVersion) fail_format(what + ": version " + std::to_string(version) + " is not supported (expected " + std::to_string(kVersion) + ")");
  ChannelReorder out;
  out.model_hash.assign(reinterpret_cast<const char*>(r.pointer()), 64);
  r.skip(64, "model hash");
  out.n_layers = r.get<uint32_t>("n_layers");
  out.n_kv_heads = r.get<uint32_t>("n_kv_heads");
  out.head_dim = r.get<uint32_t>("head_dim");
  out.head_group = r.get<uint32_t>("head_group");
  out.tokens = int64_t(r.get<uint64_t>("tokens"));
  const uint32_t source_len = r.get<uint32_t>("source length");
  if (source_len > 4096) fail_format(what + ": source text of " + std::to_string(source_len) + " bytes");
  out.source.assign(reinterpret_cast<const char*>(r.pointer()), std::min<size_t>(source_len, r.remaining()));
  r.skip(source_len, "source");
  const uint64_t L = out.n_layers, C = uint64_t(out.n_kv_heads) * out.head_dim;
  if (L == 0 || C == 0 || out.head_group == 0 || L * C * 8 != r.remaining())
    fail_format(what + ": header says " + std::to_string(L) + " layers x " + std::to_string(C) + " channels but " + std::to_string(r.remaining()) + " bytes of permutations follow");
  out.pre = get_perms(r, {out.n_layers, int64_t(C)}, "pre-RoPE permutations");
  out.post = get_perms(r, {out.n_layers, out.n_kv_heads, out.head_dim}, "post-RoPE permutations");
  if (!is_permutation_rows(out.pre) || !is_permutation_rows(out.post)) fail_format(what + ": a stored row is not a permutation");
  return out;
}

void check_reorder_matches(const ChannelReorder& r, const std::string& model_hash, int64_t n_layers, int64_t n_kv_heads, int64_t head_dim) {
  if (r.model_hash != model_hash)
    fail(ErrorKind::kInvalidArgument, "the reorder file was calibrated for another model (sha256 " + r.model_hash.substr(0, 16) + "..., this model is " +
                                          model_hash.substr(0, 16) + "...): run `quantiscope calibrate` for this model");
  if (r.n_layers != n_layers || r.n_kv_heads != n_kv_heads || r.head_dim != head_dim)
    fail(ErrorKind::kInvalidArgument, "the reorder file's shape (" + std::to_string(r.n_layers) + " layers, " + std::to_string(r.n_kv_heads) + " KV heads of " +
                                          std::to_string(r.head_dim) + ") does not match the model");
}

std::string default_reorder_path(const std::string& model_hash) {
  std::string dir;
  if (const char* d = std::getenv("QUANTISCOPE_CALIB_DIR"); d && *d) {
    dir = d;
  } else if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) {
    dir = std::string(x) + "/quantiscope/reorder";
  } else {
    const char* home = std::getenv("HOME");
    dir = std::string(home && *home ? home : ".") + "/.cache/quantiscope/reorder";
  }
  return dir + "/" + model_hash.substr(0, 16) + ".qsreorder";
}

}  // namespace qs
