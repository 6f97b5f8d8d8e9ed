// BART's exchange format: NAME.hdr ("# Dimensions" then the sizes, first fastest) beside
// NAME.cfl (raw little-endian complex64, column-major). Our (S, C, H, W) maps to BART's dims
// [W, H, 1, C, 1, ..., S at dim 13 (SLICE)]; (S, H, W) to [W, H, 1, 1, ..., S at 13].
#pragma once
#include <string>

#include <ATen/ATen.h>

namespace qs::mri {

// `base` may name NAME, NAME.cfl or NAME.hdr. Returns complex64 (S, C, H, W) when the file has
// a coil dimension > 1, else (S, H, W).
at::Tensor read_cfl(const std::string& base);
// x: (H, W), (S, H, W) or (S, C, H, W), real or complex (written as complex64).
// Writes NAME.cfl and NAME.hdr atomically; an existing one of either is replaced only with overwrite.
void write_cfl(const std::string& base, const at::Tensor& x, bool overwrite = false);
// NAME from NAME / NAME.cfl / NAME.hdr.
std::string cfl_base(const std::string& path);
// Whether a path names a BART file (.cfl or .hdr).
bool is_cfl_path(const std::string& path);

}  // namespace qs::mri
