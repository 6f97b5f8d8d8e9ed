// How much memory one input or option may make the program allocate: QUANTISCOPE_MEMORY_LIMIT
// (bytes, or with a K, M, G or T suffix), by default half of the machine's physical memory. Sizes
// read from headers or options are checked against it before anything is allocated, so a small
// hostile file or a typo cannot drive the process into the allocator's failure.
#pragma once
#include <cstdint>
#include <string>

namespace qs {

int64_t memory_budget_bytes();
// Throws Error(kUnsupported): "<what> needs 12.0 GiB, more than the memory limit of 11.7 GiB (set
// QUANTISCOPE_MEMORY_LIMIT to change it)". `bytes` is a double so products cannot wrap.
void require_within_budget(double bytes, const std::string& what);

}  // namespace qs
