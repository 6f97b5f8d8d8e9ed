// BART's .hdr text ("# Dimensions" then up to 16 sizes, first fastest) on its own, with no
// LibTorch, so the reader and the fuzzer check it the same way.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace qs::mri {

inline constexpr int kBartDims = 16;

struct CflHeader {
  std::vector<int64_t> dims;  // kBartDims sizes, missing ones 1
  uint64_t elements = 0;      // complex64 values the .cfl must hold
};

// Throws Error(kFormat) naming `name` when there is no "# Dimensions" line with 1..16 sizes, a
// size lies outside 1..2^31, or the product passes 2^40 values.
CflHeader parse_cfl_header(const std::string& text, const std::string& name);

}  // namespace qs::mri
