#include "core/llm/tokenizer/tokenizer.h"

#include <algorithm>
#include <cstdio>
#include <queue>
#include <thread>

#include "core/common/error.h"

namespace qs {
namespace {

const std::string kSpace = "\xE2\x96\x81";  // U+2581, SentencePiece's visible space

// Linear in the text: replacing in place shifted the tail once per match (minutes for a corpus).
std::string replace_all(const std::string& s, const std::string& from, const std::string& to) {
  std::string out;
  out.reserve(s.size());
  size_t pos = 0, hit;
  while ((hit = s.find(from, pos)) != std::string::npos) {
    out.append(s, pos, hit - pos).append(to);
    pos = hit + from.size();
  }
  return out.append(s, pos, std::string::npos);
}

int parse_byte_piece(const std::string& p) {  // "<0xAB>" -> 0xAB, else -1
  if (p.size() != 6 || p[0] != '<' || p[1] != '0' || p[2] != 'x' || p[5] != '>') return -1;
  unsigned v = 0;
  if (std::sscanf(p.c_str() + 3, "%2X", &v) != 1) return -1;
  return int(v);
}

}  // namespace

Tokenizer::Tokenizer(TokenizerSpec spec) : spec_(std::move(spec)) {
  const size_t n = spec_.pieces.size();
  if (n == 0) fail_format("tokenizer has an empty vocabulary");
  if (spec_.merge == TokenizerSpec::Merge::kByScore && spec_.scores.size() != n) fail_format("tokenizer: scores and pieces differ in count");
  if (!spec_.types.empty() && spec_.types.size() != n) fail_format("tokenizer: token types and pieces differ in count");
  for (int32_t* id : {&spec_.bos, &spec_.eos, &spec_.unk, &spec_.pad, &spec_.eot})
    if (*id >= int32_t(n) || *id < -1) *id = -1;  // a special id outside the vocab is treated as absent
  piece_to_id_.reserve(n);
  byte_token_.assign(256, -1);
  for (size_t i = 0; i < n; ++i) {
    piece_to_id_.emplace(spec_.pieces[i], int32_t(i));  // first occurrence wins
    int b = parse_byte_piece(spec_.pieces[i]);
    if (b >= 0 && (spec_.types.empty() || spec_.types[i] == TokenType::kByte) && byte_token_[size_t(b)] < 0) byte_token_[size_t(b)] = int32_t(i);
    TokenType t = type(int32_t(i));
    if ((t == TokenType::kControl || t == TokenType::kUserDefined) && !spec_.pieces[i].empty()) specials_.emplace_back(spec_.pieces[i], int32_t(i));
  }
  std::sort(specials_.begin(), specials_.end(), [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  special_first_byte_.assign(256, false);
  for (const auto& sp : specials_) special_first_byte_[uint8_t(sp.first[0])] = true;
  for (size_t r = 0; r < spec_.merges.size(); ++r) merge_rank_.emplace(spec_.merges[r].first + " " + spec_.merges[r].second, int32_t(r));
  // A newline that no piece and no merge contains ends every merge chain: text can be cut after it.
  newline_is_barrier_ = std::none_of(spec_.pieces.begin(), spec_.pieces.end(), [](const std::string& p) { return p.size() > 1 && p.find('\n') != std::string::npos; }) &&
                        std::none_of(spec_.merges.begin(), spec_.merges.end(), [](const auto& m) { return (m.first + m.second).find('\n') != std::string::npos; });
}

TokenType Tokenizer::type(int32_t id) const {
  if (id < 0 || id >= n_vocab()) return TokenType::kUnknown;
  if (!spec_.types.empty()) return spec_.types[size_t(id)];
  if (id == spec_.bos || id == spec_.eos || id == spec_.unk) return id == spec_.unk ? TokenType::kUnknown : TokenType::kControl;
  return TokenType::kNormal;
}

int32_t Tokenizer::find(const std::string& piece) const {
  auto it = piece_to_id_.find(piece);
  return it == piece_to_id_.end() ? -1 : it->second;
}

std::vector<int32_t> Tokenizer::end_of_generation() const {
  std::vector<int32_t> out;
  for (int32_t id : {spec_.eos, spec_.eot})
    if (id >= 0) out.push_back(id);
  for (const char* p : {"<|eot_id|>", "<|im_end|>", "<|end|>", "<|endoftext|>", "<end_of_turn>", "</s>"}) {
    int32_t id = find(p);
    if (id >= 0 && type(id) == TokenType::kControl && std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  }
  return out;
}

std::vector<int32_t> Tokenizer::encode(const std::string& text, bool add_special, bool parse_special) const {
  std::vector<int32_t> out;
  if (add_special && spec_.add_bos && spec_.bos >= 0) out.push_back(spec_.bos);
  // Split around special tokens, longest match first; control tokens only when parse_special.
  size_t pos = 0, frag_start = 0;
  bool at_start = true;
  while (pos < text.size()) {
    int32_t matched = -1;
    size_t mlen = 0;
    if (!special_first_byte_[uint8_t(text[pos])]) {  // cheap skip: most bytes start no special token
      ++pos;
      continue;
    }
    for (const auto& [p, id] : specials_) {
      if (!parse_special && type(id) == TokenType::kControl) continue;
      if (text.compare(pos, p.size(), p) == 0) {
        matched = id;
        mlen = p.size();
        break;
      }
    }
    if (matched < 0) {
      ++pos;
      continue;
    }
    if (pos > frag_start) encode_fragment(text.substr(frag_start, pos - frag_start), at_start, &out);
    out.push_back(matched);
    pos += mlen;
    frag_start = pos;
    at_start = true;  // llama.cpp adds the dummy prefix again after a special token
  }
  if (frag_start < text.size()) encode_fragment(text.substr(frag_start), at_start, &out);
  if (add_special && spec_.add_eos && spec_.eos >= 0) out.push_back(spec_.eos);
  return out;
}

void Tokenizer::encode_fragment(const std::string& text, bool at_start, std::vector<int32_t>* out) const {
  if (text.empty()) return;
  if (spec_.text == TokenizerSpec::Text::kSentencePiece) {
    std::string t = (spec_.add_space_prefix && at_start ? " " : "") + text;
    encode_long_word(replace_all(t, " ", kSpace), out);
    return;
  }
  for (const std::string& w : unicode::pre_split(text, spec_.pre_split)) encode_word(unicode::bytes_to_gpt2_unicode(w), out);
}

// A corpus is one SentencePiece "word" of tens of MB: cut it after newlines into one piece per
// thread. When no merge contains a newline the pieces merge exactly as the whole would.
void Tokenizer::encode_long_word(const std::string& word, std::vector<int32_t>* out) const {
  constexpr size_t kMinParallelBytes = size_t(1) << 20;
  const size_t threads = std::min<size_t>(std::max(1u, std::thread::hardware_concurrency()), 64);
  if (!newline_is_barrier_ || word.size() < kMinParallelBytes || threads < 2) return encode_word(word, out);
  std::vector<size_t> cuts{0};
  for (size_t k = 1; k < threads; ++k) {
    size_t nl = word.find('\n', std::max(cuts.back(), k * word.size() / threads));
    if (nl == std::string::npos) break;
    if (nl + 1 < word.size()) cuts.push_back(nl + 1);
  }
  cuts.push_back(word.size());
  std::vector<std::vector<int32_t>> parts(cuts.size() - 1);
  std::vector<std::thread> pool;
  for (size_t i = 0; i + 1 < cuts.size(); ++i)
    pool.emplace_back([&, i] { encode_word(word.substr(cuts[i], cuts[i + 1] - cuts[i]), &parts[i]); });
  for (auto& t : pool) t.join();
  for (const auto& p : parts) out->insert(out->end(), p.begin(), p.end());
}

// Bottom-up merging over UTF-8 characters: the best adjacent pair (highest score, or lowest
// merge rank) is merged first, the leftmost on ties, until no pair is a known merge.
void Tokenizer::encode_word(const std::string& word, std::vector<int32_t>* out) const {
  if (word.empty()) return;
  struct Sym {
    int prev, next;
    std::string text;
  };
  std::vector<Sym> syms;
  for (const auto& u : unicode::decode_utf8(word)) {
    int i = int(syms.size());
    syms.push_back({i - 1, i + 1, word.substr(u.offset, u.length)});
  }
  syms.back().next = -1;
  struct Bigram {
    double priority;  // larger is better
    int left;
    size_t size;      // combined byte size when queued, to detect stale entries
    bool operator<(const Bigram& o) const { return priority < o.priority || (priority == o.priority && left > o.left); }
  };
  std::priority_queue<Bigram> queue;
  auto try_add = [&](int l, int r) {
    if (l < 0 || r < 0) return;
    const std::string& a = syms[size_t(l)].text;
    const std::string& b = syms[size_t(r)].text;
    double priority;
    if (spec_.merge == TokenizerSpec::Merge::kByScore) {
      auto it = piece_to_id_.find(a + b);
      if (it == piece_to_id_.end()) return;
      priority = spec_.scores[size_t(it->second)];
    } else {
      auto it = merge_rank_.find(a + " " + b);
      if (it == merge_rank_.end()) return;
      priority = -double(it->second);
    }
    queue.push({priority, l, a.size() + b.size()});
  };
  for (size_t i = 1; i < syms.size(); ++i) try_add(int(i) - 1, int(i));
  while (!queue.empty()) {
    Bigram bg = queue.top();
    queue.pop();
    Sym& left = syms[size_t(bg.left)];
    if (left.text.empty() || left.next < 0) continue;
    Sym& right = syms[size_t(left.next)];
    if (left.text.size() + right.text.size() != bg.size) continue;  // stale
    left.text += right.text;
    right.text.clear();
    int rn = right.next;
    left.next = rn;
    if (rn >= 0) syms[size_t(rn)].prev = bg.left;
    try_add(left.prev, bg.left);
    try_add(bg.left, rn);
  }
  for (int i = 0; i >= 0; i = syms[size_t(i)].next) emit_symbol(syms[size_t(i)].text, out);
}

void Tokenizer::emit_symbol(const std::string& sym, std::vector<int32_t>* out) const {
  auto it = piece_to_id_.find(sym);
  if (it != piece_to_id_.end()) {
    out->push_back(it->second);
    return;
  }
  std::string raw;
  if (spec_.text == TokenizerSpec::Text::kByteLevel) {
    // Every byte of the GPT-2 alphabet is a token of its own.
    for (const auto& u : unicode::decode_utf8(sym)) {
      auto one = piece_to_id_.find(sym.substr(u.offset, u.length));
      if (one != piece_to_id_.end()) out->push_back(one->second);
      else if (spec_.unk >= 0) out->push_back(spec_.unk);
    }
    return;
  }
  raw = replace_all(sym, kSpace, " ");
  if (spec_.byte_fallback) {
    bool ok = true;
    for (unsigned char b : raw) ok = ok && byte_token_[b] >= 0;
    if (ok) {
      for (unsigned char b : raw) out->push_back(byte_token_[b]);
      return;
    }
  }
  if (spec_.unk >= 0) out->push_back(spec_.unk);
}

std::string Tokenizer::piece_bytes(int32_t id, bool render_special) const {
  if (id < 0 || id >= n_vocab()) return "";
  const std::string& p = spec_.pieces[size_t(id)];
  TokenType t = type(id);
  if (t == TokenType::kControl || t == TokenType::kUnused || t == TokenType::kUnknown) return render_special ? p : "";
  if (t == TokenType::kUserDefined) return p;
  int b = parse_byte_piece(p);
  if (b >= 0 && byte_token_[size_t(b)] == id) return std::string(1, char(b));
  if (spec_.text == TokenizerSpec::Text::kByteLevel) {
    std::string bytes;
    return unicode::gpt2_unicode_to_bytes(p, &bytes) ? bytes : p;
  }
  return replace_all(p, kSpace, " ");
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids, bool render_special) const {
  std::string out;
  bool strip_next = spec_.text == TokenizerSpec::Text::kSentencePiece && spec_.add_space_prefix;
  for (int32_t id : ids) {
    std::string piece = piece_bytes(id, render_special);
    if (id == spec_.bos) {
      strip_next = spec_.text == TokenizerSpec::Text::kSentencePiece && spec_.add_space_prefix;
      if (!render_special) continue;
    }
    if (strip_next && !piece.empty()) {
      if (piece[0] == ' ') piece.erase(0, 1);
      strip_next = false;
    }
    out += piece;
  }
  return out;
}

}  // namespace qs
