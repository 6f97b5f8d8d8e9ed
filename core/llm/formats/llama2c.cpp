#include "core/llm/formats/llama2c.h"

#include <climits>

#include "core/common/error.h"

namespace qs::llama2c {

Checkpoint open_checkpoint(const std::string& path) { return parse_checkpoint(FileBytes::open(path)); }

Checkpoint parse_checkpoint(std::shared_ptr<FileBytes> bytes) {
  Checkpoint c;
  c.bytes = bytes;
  const std::string what = "llama2.c checkpoint '" + bytes->path() + "'";
  ByteReader r(bytes->data(), bytes->size(), what);
  Header& h = c.header;
  int32_t* fields[] = {&h.dim, &h.hidden_dim, &h.n_layers, &h.n_heads, &h.n_kv_heads, &h.vocab_size, &h.seq_len};
  for (int32_t* f : fields) *f = r.get<int32_t>("header");
  h.shared_classifier = h.vocab_size > 0;
  if (h.vocab_size < 0 && h.vocab_size != INT32_MIN) h.vocab_size = -h.vocab_size;  // INT32_MIN fails the range check below
  // Sanity limits far above any llama2.c model, far below anything that could overflow.
  auto check = [&](int32_t v, int32_t hi, const char* name) {
    if (v <= 0 || v > hi) fail_format(what + ": header field " + name + "=" + std::to_string(v) + " is out of range; not a llama2.c v0 checkpoint?");
  };
  check(h.dim, 1 << 16, "dim");
  check(h.hidden_dim, 1 << 18, "hidden_dim");
  check(h.n_layers, 1024, "n_layers");
  check(h.n_heads, 1024, "n_heads");
  check(h.n_kv_heads, 1024, "n_kv_heads");
  check(h.vocab_size, 1 << 22, "vocab_size");
  check(h.seq_len, 1 << 22, "seq_len");
  if (h.dim % h.n_heads != 0 || h.n_heads % h.n_kv_heads != 0 || (h.dim / h.n_heads) % 2 != 0)
    fail_format(what + ": dim, n_heads and n_kv_heads are inconsistent");
  uint64_t D = h.dim, F = h.hidden_dim, L = h.n_layers, V = h.vocab_size, S = h.seq_len;
  uint64_t hd = D / h.n_heads, KV = hd * h.n_kv_heads;
  uint64_t pos = 28;
  auto take = [&](uint64_t count) {
    Layout::Span s{pos, count};
    pos += count * 4;
    return s;
  };
  Layout& l = c.layout;
  l.token_embedding = take(V * D);
  l.rms_att = take(L * D);
  l.wq = take(L * D * D);
  l.wk = take(L * KV * D);
  l.wv = take(L * KV * D);
  l.wo = take(L * D * D);
  l.rms_ffn = take(L * D);
  l.w1 = take(L * F * D);
  l.w2 = take(L * D * F);
  l.w3 = take(L * F * D);
  l.rms_final = take(D);
  l.freq_real = take(S * hd / 2);
  l.freq_imag = take(S * hd / 2);
  l.wcls = h.shared_classifier ? l.token_embedding : take(V * D);
  if (pos > bytes->size())
    fail_format(what + ": the header promises " + std::to_string(pos) + " bytes but the file has " + std::to_string(bytes->size()) + "; truncated or not a v0 checkpoint");
  return c;
}

TokenizerFile open_tokenizer(const std::string& path, int32_t vocab_size) { return parse_tokenizer(*FileBytes::open(path), vocab_size); }

TokenizerFile parse_tokenizer(const FileBytes& bytes, int32_t vocab_size) {
  const std::string what = "llama2.c tokenizer '" + bytes.path() + "'";
  if (vocab_size <= 0 || vocab_size > (1 << 22)) fail(ErrorKind::kInvalidArgument, what + ": bad vocab size");
  ByteReader r(bytes.data(), bytes.size(), what);
  TokenizerFile t;
  t.max_token_length = r.get<int32_t>("max_token_length");
  if (t.max_token_length <= 0 || t.max_token_length > 4096) fail_format(what + ": max_token_length " + std::to_string(t.max_token_length) + " is out of range");
  // Each record is at least 8 bytes: refuse a vocab the file cannot hold before reserving.
  if (uint64_t(vocab_size) * 8 > r.remaining()) fail_format(what + ": file too short for " + std::to_string(vocab_size) + " tokens; wrong tokenizer for this model?");
  t.pieces.reserve(vocab_size);
  t.scores.reserve(vocab_size);
  for (int32_t i = 0; i < vocab_size; ++i) {
    float score = r.get<float>("token score");
    int32_t len = r.get<int32_t>("token length");
    if (len < 0 || len > t.max_token_length) fail_format(what + ": token " + std::to_string(i) + " has length " + std::to_string(len) + " (max " + std::to_string(t.max_token_length) + ")");
    std::string piece(static_cast<size_t>(len), '\0');
    r.read(piece.data(), size_t(len), "token bytes");
    t.pieces.push_back(std::move(piece));
    t.scores.push_back(score);
  }
  return t;
}

}  // namespace qs::llama2c
