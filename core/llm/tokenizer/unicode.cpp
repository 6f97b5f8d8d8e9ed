#include "core/llm/tokenizer/unicode.h"

#include <algorithm>
#include <array>

namespace qs::unicode {
namespace {

struct Range {
  uint32_t first, last;
  uint8_t cls;
};
constexpr Range kRanges[] = {
#include "core/llm/tokenizer/unicode_ranges.inc"
};

uint8_t class_of(uint32_t cp) {
  const Range* end = kRanges + sizeof(kRanges) / sizeof(kRanges[0]);
  const Range* it = std::upper_bound(kRanges, end, cp, [](uint32_t v, const Range& r) { return v < r.first; });
  if (it == kRanges) return 0;
  --it;
  return cp <= it->last ? it->cls : 0;
}

// GPT-2 alphabet: printable Latin-1 bytes map to themselves, the rest to 256 + n in order.
struct Gpt2Tables {
  std::array<uint32_t, 256> byte_to_cp{};
  std::vector<int> cp_to_byte = std::vector<int>(512, -1);
  Gpt2Tables() {
    int n = 0;
    for (int b = 0; b < 256; ++b) {
      bool printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
      byte_to_cp[b] = printable ? uint32_t(b) : uint32_t(256 + n++);
      cp_to_byte[byte_to_cp[b]] = b;
    }
  }
};
const Gpt2Tables& gpt2() {
  static const Gpt2Tables t;
  return t;
}

}  // namespace

Unit decode_utf8_at(const std::string& text, size_t i) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const size_t n = text.size();
  const uint8_t c = s[i];
  uint32_t cp = 0xFFFD;
  uint32_t len = 1;
  auto cont = [&](size_t k) { return i + k < n && (s[i + k] & 0xC0) == 0x80; };
  if (c < 0x80) {
    cp = c;
  } else if ((c & 0xE0) == 0xC0 && c >= 0xC2 && cont(1)) {
    cp = ((c & 0x1Fu) << 6) | (s[i + 1] & 0x3Fu);
    len = 2;
  } else if ((c & 0xF0) == 0xE0 && cont(1) && cont(2)) {
    uint32_t v = ((c & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
    if (v >= 0x800 && (v < 0xD800 || v > 0xDFFF)) {
      cp = v;
      len = 3;
    }
  } else if ((c & 0xF8) == 0xF0 && cont(1) && cont(2) && cont(3)) {
    uint32_t v = ((c & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12) | ((s[i + 2] & 0x3Fu) << 6) | (s[i + 3] & 0x3Fu);
    if (v >= 0x10000 && v <= 0x10FFFF) {
      cp = v;
      len = 4;
    }
  }
  return {cp, uint32_t(i), len};
}

std::vector<Unit> decode_utf8(const std::string& text) {
  std::vector<Unit> out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); i += out.back().length) out.push_back(decode_utf8_at(text, i));
  return out;
}

std::string encode_utf8(uint32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s += char(cp);
  } else if (cp < 0x800) {
    s += char(0xC0 | (cp >> 6));
    s += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    s += char(0xE0 | (cp >> 12));
    s += char(0x80 | ((cp >> 6) & 0x3F));
    s += char(0x80 | (cp & 0x3F));
  } else {
    s += char(0xF0 | (cp >> 18));
    s += char(0x80 | ((cp >> 12) & 0x3F));
    s += char(0x80 | ((cp >> 6) & 0x3F));
    s += char(0x80 | (cp & 0x3F));
  }
  return s;
}

size_t complete_utf8_prefix(const std::string& s) {
  size_t n = s.size();
  // Look back at most 3 bytes for the start of an unfinished sequence.
  for (size_t back = 1; back <= 3 && back <= n; ++back) {
    uint8_t c = uint8_t(s[n - back]);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte: keep looking for the lead
    size_t need = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

bool is_letter(uint32_t cp) { return class_of(cp) == 1; }
bool is_number(uint32_t cp) { return class_of(cp) == 2; }

bool is_whitespace(uint32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

std::string bytes_to_gpt2_unicode(const std::string& bytes) {
  std::string out;
  for (unsigned char b : bytes) out += encode_utf8(gpt2().byte_to_cp[b]);
  return out;
}

bool gpt2_unicode_to_bytes(const std::string& text, std::string* bytes) {
  for (const Unit& u : decode_utf8(text)) {
    if (u.cp >= gpt2().cp_to_byte.size() || gpt2().cp_to_byte[u.cp] < 0) return false;
    *bytes += char(gpt2().cp_to_byte[u.cp]);
  }
  return true;
}

namespace {

// Scans the decoded units and emits [begin, end) unit ranges following the chosen regex.
class Splitter {
 public:
  Splitter(const std::vector<Unit>& u, PreSplit kind) : u_(u), kind_(kind) {}

  std::vector<std::pair<size_t, size_t>> run() {
    std::vector<std::pair<size_t, size_t>> out;
    size_t pos = 0, n = u_.size();
    while (pos < n) {
      size_t len = kind_ == PreSplit::kGpt2 ? next_gpt2(pos) : next_llama3(pos);
      if (len == 0) len = 1;  // defensive: always make progress
      out.emplace_back(pos, pos + len);
      pos += len;
    }
    return out;
  }

 private:
  uint32_t cp(size_t i) const { return i < u_.size() ? u_[i].cp : 0xFFFFFFFF; }
  bool has(size_t i) const { return i < u_.size(); }
  bool L(size_t i) const { return has(i) && is_letter(cp(i)); }
  bool N(size_t i) const { return has(i) && is_number(cp(i)); }
  bool S(size_t i) const { return has(i) && is_whitespace(cp(i)); }
  bool other(size_t i) const { return has(i) && !L(i) && !N(i) && !S(i); }
  static uint32_t lower(uint32_t c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

  size_t contraction(size_t pos, bool ignore_case) const {
    if (cp(pos) != '\'' || !has(pos + 1)) return 0;
    auto c = [&](size_t i) { return ignore_case ? lower(cp(i)) : cp(i); };
    uint32_t a = c(pos + 1);
    if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
    if (has(pos + 2)) {
      uint32_t b = c(pos + 2);
      if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
    }
    return 0;
  }

  // \s+(?!\S) then \s+ : a whitespace run, leaving its last unit to the next token when a
  // non-space follows and the run is longer than one.
  size_t whitespace_run(size_t pos) const {
    size_t end = pos;
    while (S(end)) ++end;
    size_t run = end - pos;
    if (run > 1 && has(end)) return run - 1;
    return run;
  }

  // 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
  size_t next_gpt2(size_t pos) const {
    if (size_t c = contraction(pos, false)) return c;
    size_t start = pos;
    size_t p = pos;
    if (cp(p) == ' ' && has(p + 1) && !S(p + 1)) ++p;  // the optional leading space
    if (L(p)) {
      while (L(p)) ++p;
      return p - start;
    }
    if (N(p)) {
      while (N(p)) ++p;
      return p - start;
    }
    if (other(p)) {
      while (other(p)) ++p;
      return p - start;
    }
    return whitespace_run(pos);
  }

  // (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|
  // \s*[\r\n]+|\s+(?!\S)|\s+        (Qwen2: \p{N} one at a time)
  size_t next_llama3(size_t pos) const {
    if (size_t c = contraction(pos, true)) return c;
    auto newline = [&](size_t i) { return has(i) && (cp(i) == '\r' || cp(i) == '\n'); };
    size_t p = pos;
    if (has(p) && !newline(p) && !L(p) && !N(p) && L(p + 1)) ++p;
    if (L(p)) {
      while (L(p)) ++p;
      return p - pos;
    }
    if (N(pos)) {
      size_t max_digits = kind_ == PreSplit::kQwen2 ? 1 : 3;
      size_t q = pos;
      while (N(q) && q - pos < max_digits) ++q;
      return q - pos;
    }
    p = pos;
    if (cp(p) == ' ' && other(p + 1)) ++p;
    if (other(p)) {
      while (other(p)) ++p;
      while (newline(p)) ++p;
      return p - pos;
    }
    // \s*[\r\n]+ : the whitespace run up to and including its last newline.
    size_t end = pos, last_nl = 0;
    bool any_nl = false;
    while (S(end)) {
      if (newline(end)) {
        last_nl = end;
        any_nl = true;
      }
      ++end;
    }
    if (any_nl) return last_nl + 1 - pos;
    return whitespace_run(pos);
  }

  const std::vector<Unit>& u_;
  PreSplit kind_;
};

}  // namespace

std::vector<std::string> pre_split(const std::string& text, PreSplit kind) {
  std::vector<Unit> units = decode_utf8(text);
  std::vector<std::string> words;
  for (auto [b, e] : Splitter(units, kind).run()) {
    size_t begin = units[b].offset;
    size_t end = units[e - 1].offset + units[e - 1].length;
    words.push_back(text.substr(begin, end - begin));
  }
  return words;
}

}  // namespace qs::unicode
