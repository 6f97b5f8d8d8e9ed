// llama2.c legacy (version 0) checkpoints and their tokenizer .bin (no torch).
// Checkpoint: 7 x i32 {dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len};
// a negative vocab_size means the classifier is stored separately at the end. Then f32 arrays:
// token_embedding[V,D], rms_att[L,D], wq[L,D,D], wk[L,KV,D], wv[L,KV,D], wo[L,D,D], rms_ffn[L,D],
// w1[L,F,D], w2[L,D,F], w3[L,F,D], rms_final[D], freq_cis_real/imag[S,hd/2], wcls[V,D]?
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/common/file_bytes.h"

namespace qs::llama2c {

struct Header {
  int32_t dim = 0, hidden_dim = 0, n_layers = 0, n_heads = 0, n_kv_heads = 0, vocab_size = 0, seq_len = 0;
  bool shared_classifier = true;
};

// Byte offsets (absolute) and float counts of each array, after validation.
struct Layout {
  struct Span {
    uint64_t offset = 0;
    uint64_t count = 0;
  };
  Span token_embedding, rms_att, wq, wk, wv, wo, rms_ffn, w1, w2, w3, rms_final, freq_real, freq_imag, wcls;
};

struct Checkpoint {
  Header header;
  Layout layout;
  std::shared_ptr<FileBytes> bytes;
  const float* floats(const Layout::Span& s) const { return reinterpret_cast<const float*>(bytes->data() + s.offset); }
};

Checkpoint open_checkpoint(const std::string& path);
Checkpoint parse_checkpoint(std::shared_ptr<FileBytes> bytes);

struct TokenizerFile {
  int32_t max_token_length = 0;
  std::vector<std::string> pieces;
  std::vector<float> scores;
};

// vocab_size comes from the checkpoint header (the .bin does not store it).
TokenizerFile open_tokenizer(const std::string& path, int32_t vocab_size);
TokenizerFile parse_tokenizer(const FileBytes& bytes, int32_t vocab_size);

}  // namespace qs::llama2c
