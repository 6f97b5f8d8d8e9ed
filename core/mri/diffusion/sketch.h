// LDPM's fidelity step (issue "LDPM"): the sketch, a first estimate of the fully sampled image
// from the zero-filled one, and the undersampling that makes its training pairs.
//
//   sketch(x_zf) = x_zf + N(x_zf)      N: a LatentUnet in image space (1 channel, unconditioned,
//                                      always at step 0, so its time embedding is a learned bias)
//   undersample: x [B, 1, H, W] real -> y = M F x (F = fft2c, M a 1-D Cartesian mask per item,
//                type and acceleration drawn from the choices), x_zf = |F^-1 y|
// One architecture and one weight format (save_unet) serve both of LDPM's networks. Images are
// real magnitudes, as in the Dual-Stage Sampler's data consistency.
#pragma once
#include <ATen/ATen.h>

#include <vector>

#include "core/mri/diffusion/latent_unet.h"
#include "core/mri/mask.h"

namespace qs::mri {

UnetConfig sketch_config(int64_t base_channels, int64_t levels, int64_t groups);

// zero_filled [B, 1, H, W] -> [B, 1, H, W]; H and W multiples of 2^(levels - 1).
at::Tensor apply_sketch(LatentUnet& net, const at::Tensor& zero_filled);

struct Undersampled {
  at::Tensor kspace;       // [B, H, W] complex, zero off the mask
  at::Tensor mask;         // [B, H, W] float 0/1
  at::Tensor zero_filled;  // [B, 1, H, W] real
};

// Each item takes choices[k] for a k drawn from gen, with a mask seed drawn from gen as well
// (the spec's own seed is ignored); every choice must be a 1-D Cartesian type.
Undersampled undersample(const at::Tensor& images, const std::vector<MaskSpec>& choices, at::Generator& gen);
// The same with one fixed spec for every item (evaluation).
Undersampled undersample(const at::Tensor& images, const MaskSpec& spec);

// "random,equispaced" x "4,8" -> every pair; Error(kInvalidArgument) for an unknown type or an
// acceleration below 1.
std::vector<MaskSpec> mask_choices(const std::vector<std::string>& types, const std::vector<double>& accelerations);

}  // namespace qs::mri
