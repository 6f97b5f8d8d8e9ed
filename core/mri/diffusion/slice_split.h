// Which slices of a volume LDPM's networks may train on and which are held out for evaluation
// (issue "LDPM"): one file that training and evaluation both read, so that they cannot disagree.
//
// JSON: {"volume": NAME, "axis": "axial", "slices": N, "heldout": [first, last], "margin": M}
// Evaluation slices are first..last; training slices are every other slice at least M away from
// them (margin on both sides: neighbouring slices of one subject are nearly the same image).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace qs::mri {

struct SliceSplit {
  std::string volume, axis;
  int64_t slices = 0, heldout_first = 0, heldout_last = 0, margin = 0;
  std::vector<int64_t> train() const;
  std::vector<int64_t> heldout() const;
};

// Error(kFormat) naming the field for a missing, mistyped or out-of-range entry.
SliceSplit read_slice_split(const std::string& path);

}  // namespace qs::mri
