// tokenizer.model: a SentencePiece ModelProto. We read the few fields we need with a small
// bounds-checked protobuf walker instead of linking libsentencepiece: Debian's
// libsentencepiece and libtorch crash at load time in one process (both register protobuf
// descriptors), so the library cannot sit beside LibTorch.
//
// ModelProto: field 1 = repeated SentencePiece {1: piece (string), 2: score (float),
// 3: type (enum: 1 normal, 2 unknown, 3 control, 4 user defined, 5 unused, 6 byte)};
// field 2 = TrainerSpec {40: unk_id, 41: bos_id, 42: eos_id, 43: pad_id (int32)};
// field 3 = NormalizerSpec {3: add_dummy_prefix (bool)}.
#include <cstring>

#include "core/common/error.h"
#include "core/common/file_bytes.h"
#include "core/llm/tokenizer/vocab_loaders.h"

namespace qs {
namespace {

class ProtoReader {
 public:
  ProtoReader(const uint8_t* p, size_t n) : p_(p), end_(p + n) {}
  bool done() const { return p_ >= end_; }
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ >= end_) fail_format("tokenizer.model: truncated varint");
      uint8_t b = *p_++;
      v |= uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    fail_format("tokenizer.model: varint too long");
  }
  // Reads a field key; returns false at the end.
  bool next(uint32_t* field, uint32_t* wire) {
    if (done()) return false;
    uint64_t key = varint();
    *field = uint32_t(key >> 3);
    *wire = uint32_t(key & 7);
    return true;
  }
  std::pair<const uint8_t*, size_t> bytes() {
    uint64_t n = varint();
    if (n > uint64_t(end_ - p_)) fail_format("tokenizer.model: field length runs past the end");
    auto r = std::make_pair(p_, size_t(n));
    p_ += n;
    return r;
  }
  float fixed32_float() {
    if (end_ - p_ < 4) fail_format("tokenizer.model: truncated float");
    float f;
    std::memcpy(&f, p_, 4);
    p_ += 4;
    return f;
  }
  void skip(uint32_t wire) {
    switch (wire) {
      case 0: varint(); return;
      case 1: advance(8); return;
      case 2: bytes(); return;
      case 5: advance(4); return;
      default: fail_format("tokenizer.model: unsupported protobuf wire type " + std::to_string(wire));
    }
  }

 private:
  void advance(size_t n) {
    if (size_t(end_ - p_) < n) fail_format("tokenizer.model: truncated field");
    p_ += n;
  }
  const uint8_t* p_;
  const uint8_t* end_;
};

}  // namespace

std::shared_ptr<Tokenizer> tokenizer_from_spm_model_bytes(const uint8_t* data, size_t size) {
  TokenizerSpec s;
  s.name = "SentencePiece model (tokenizer.model)";
  s.merge = TokenizerSpec::Merge::kByScore;
  s.text = TokenizerSpec::Text::kSentencePiece;
  s.unk = 0;
  s.bos = 1;
  s.eos = 2;
  s.add_bos = true;
  ProtoReader r(data, size);
  uint32_t field, wire;
  while (r.next(&field, &wire)) {
    if (field == 1 && wire == 2) {
      auto [p, n] = r.bytes();
      ProtoReader pr(p, n);
      std::string piece;
      float score = 0;
      int type = 1;
      uint32_t f2, w2;
      while (pr.next(&f2, &w2)) {
        if (f2 == 1 && w2 == 2) {
          auto [sp, sn] = pr.bytes();
          piece.assign(reinterpret_cast<const char*>(sp), sn);
        } else if (f2 == 2 && w2 == 5) {
          score = pr.fixed32_float();
        } else if (f2 == 3 && w2 == 0) {
          type = int(pr.varint());
        } else {
          pr.skip(w2);
        }
      }
      s.pieces.push_back(piece);
      s.scores.push_back(score);
      s.types.push_back(type >= 1 && type <= 6 ? TokenType(type) : TokenType::kNormal);
      if (s.pieces.size() > (1u << 22)) fail_format("tokenizer.model: too many pieces");
    } else if (field == 2 && wire == 2) {
      auto [p, n] = r.bytes();
      ProtoReader tr(p, n);
      uint32_t f2, w2;
      while (tr.next(&f2, &w2)) {
        if (w2 == 0 && f2 >= 40 && f2 <= 43) {
          int32_t v = int32_t(tr.varint());
          (f2 == 40 ? s.unk : f2 == 41 ? s.bos : f2 == 42 ? s.eos : s.pad) = v;
        } else {
          tr.skip(w2);
        }
      }
    } else if (field == 3 && wire == 2) {
      auto [p, n] = r.bytes();
      ProtoReader nr(p, n);
      uint32_t f2, w2;
      while (nr.next(&f2, &w2)) {
        if (f2 == 3 && w2 == 0) s.add_space_prefix = nr.varint() != 0;
        else nr.skip(w2);
      }
    } else {
      r.skip(wire);
    }
  }
  if (s.pieces.empty()) fail_format("tokenizer.model holds no pieces; is it a SentencePiece model?");
  return std::make_shared<Tokenizer>(std::move(s));
}

std::shared_ptr<Tokenizer> tokenizer_from_spm_model(const std::string& path) {
  auto bytes = FileBytes::open(path);
  return tokenizer_from_spm_model_bytes(bytes->data(), bytes->size());
}

}  // namespace qs
