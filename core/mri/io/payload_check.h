// ITK reads truncated NIfTI, MetaImage and NRRD files without an error (zeros or garbage fill
// the rest) and allocates whatever a header claims. Before ITK reads pixels, this checks that
// the file can really hold what its header promises.
#pragma once
#include <cstdint>
#include <string>

namespace qs::mri {

// Throws Error(kFormat) naming the file when the pixel data (raw, gzip, MetaImage LOCAL or
// detached, NRRD attached or detached) is shorter than `expected_bytes`, or when a compressed
// file claims more than gzip's maximum expansion of its size.
// scan_values: also refuse NIfTI float data holding NaN/Inf (reading; a write check passes false).
void check_image_payload(const std::string& path, uint64_t expected_bytes, bool scan_values = true);

}  // namespace qs::mri
