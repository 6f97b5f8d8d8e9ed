// Measurements the bench-* commands share.
#pragma once
#include <ATen/ATen.h>

#include "core/kv/kv_options.h"

#include <string>
#include <vector>

namespace qs {
class Transformer;
}

namespace qs::cli {

// Comma list of integers ("1,16,32"); throws naming the item that is not a positive integer.
std::vector<int64_t> parse_positive_list(const std::string& option, const std::string& text);

// Copy bandwidth of the device in bytes/s (bytes read + written), best of 5 copies of `bytes`:
// the ceiling memory-bound kernels are compared against in the same run.
double copy_bandwidth(at::Device device, int64_t bytes);

double gib(double bytes);

// Bytes a cache of these types holds at `tokens` per sequence (both sides, all layers, batch 1),
// from the codecs' footprint (kv_side.h), without allocating anything.
double kv_cache_bytes(const Transformer& model, const std::string& k_type, const std::string& v_type, int64_t tokens, const KvOptions& options);

// Refuses a run that needs `bytes` beyond what is allocated now, naming both: on CUDA against the
// device's free memory, on the CPU against the memory limit (core/common/memory_budget.h).
void require_fits(at::Device device, double bytes, const std::string& what);

}  // namespace qs::cli
