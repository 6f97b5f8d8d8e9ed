// Measurements the bench-* commands share.
#pragma once
#include <ATen/ATen.h>

#include <string>
#include <vector>

namespace qs::cli {

// Comma list of integers ("1,16,32"); throws naming the item that is not a positive integer.
std::vector<int64_t> parse_positive_list(const std::string& option, const std::string& text);

// Copy bandwidth of the device in bytes/s (bytes read + written), best of 5 copies of `bytes`:
// the ceiling memory-bound kernels are compared against in the same run.
double copy_bandwidth(at::Device device, int64_t bytes);

double gib(double bytes);

}  // namespace qs::cli
