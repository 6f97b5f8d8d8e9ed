// The header of a saved log-probability file (logit_file.h) on its own, with no LibTorch, so that
// it is checked the same way by the reader and by the fuzzer.
//
// Layout: "QSLOGP01", u32 vocab, u32 ctx, u64 n_windows (24 bytes), then n_windows x
// (ctx x i32 tokens, (ctx - 1) x vocab f16 log-probabilities).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace qs {

inline constexpr char kLogitMagic[8] = {'Q', 'S', 'L', 'O', 'G', 'P', '0', '1'};

struct LogitLayout {
  int64_t vocab = 0, ctx = 0, windows = 0;
  uint64_t window_bytes = 0;  // one window's tokens and log-probabilities
  static constexpr size_t kHeaderBytes = 24;
};

// `data` holds the file's first min(size, 24) bytes or more; `size` is the whole file's. Throws
// Error(kFormat) naming `name` for a bad magic, vocab or ctx, windows larger than the file
// (checked before any product that could wrap), or a window count the file cannot hold.
LogitLayout parse_logit_header(const uint8_t* data, size_t size, const std::string& name);

}  // namespace qs
