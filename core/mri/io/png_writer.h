// 8-bit grey PNG output written by the project (zlib + CRC-32), not by ITK's PNG writer: that one
// corrupts the heap when a write fails (seen on a full disk). Written through AtomicFile.
#pragma once
#include <ATen/ATen.h>

#include <string>

namespace qs::mri {

// The PNG bytes of an 8-bit grey image, rows of `width` pixels (uint8 [height, width]).
std::string encode_png_gray8(const at::Tensor& pixels);
// One 2-D slice mapped linearly from [low, high] to 0..255 (outside clamped), written atomically;
// an existing file is replaced only with overwrite.
void write_png_slice(const std::string& path, const at::Tensor& slice, double low, double high, bool overwrite);

}  // namespace qs::mri
