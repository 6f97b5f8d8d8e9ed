// Training-time augmentation of magnitude crops (issue "LDPM": one subject to learn from, so the
// networks see contrasts, shapes and shading that subject does not have). Crops are [B, 1, c, c]
// in [0, 1]; every random number comes from the caller's generator (a resumed run draws the same).
//
//   contrast  a random monotone remap of intensity in `bands` equal bands of [0, 1], band slopes
//             exp(U(-contrast, contrast)) renormalised so 0 -> 0 and 1 -> 1: tissues change
//             brightness relative to each other, their order is kept
//   bias      x * exp(bias * s), s a smooth field bilinearly upsampled from a 4 x 4 N(0, 1) grid
//   deform    bilinear resampling at p + d(p), d a smooth displacement field (std `deform`
//             pixels) upsampled from a 4 x 4 grid; outside the crop reads the border
//   noise     + N(0, noise^2)
// then clamped to [0, 1]. Strength 0 leaves a transform out; all 0 returns the crops unchanged.
#pragma once
#include <ATen/ATen.h>

namespace qs::mri {

struct AugmentOptions {
  double contrast = 0, bias = 0, deform = 0, noise = 0;
  int64_t bands = 4;
  bool any() const { return contrast > 0 || bias > 0 || deform > 0 || noise > 0; }
  void validate() const;  // Error(kInvalidArgument) for a negative or non-finite strength, bands < 1
};

at::Tensor augment(const at::Tensor& crops, const AugmentOptions& options, at::Generator& gen);

}  // namespace qs::mri
