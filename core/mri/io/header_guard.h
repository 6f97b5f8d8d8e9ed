// Checks a file's own header before ITK's decoders see it. libpng aborts the process on a bad IHDR
// CRC or a 0x0 image, GDCM asserts on a DICOM file cut inside its header, and MetaIO loops
// forever on `NDims = -3`; none of them can be stopped once called. So the project parses these
// headers itself first and refuses, with a sentence naming the problem, what would take it down:
//   PNG        signature, every chunk's length and CRC-32, IHDR first (13 bytes, width and height
//              1..2^31-1, a legal bit depth for the colour type), at least one IDAT, IEND last
//   MetaImage  NDims 1..4, DimSize with NDims positive integers, a known ElementType, an
//              ElementDataFile line within the first 64 KiB
//   DICOM      (files with the 128-byte preamble + "DICM") every element of the file meta group
//              and of the data set fits in the file (explicit or implicit VR little endian; a
//              compressed transfer syntax stops the walk at its first undefined length), and a
//              data set follows the meta group
//   NIfTI      (.nii, .hdr) sizeof_hdr 348 or 540 in either byte order, dim[0] 1..7, positive
//              dims, a known datatype with its bitpix; a single file holds every voxel after
//              vox_offset (.nii.gz is checked after decompression, by ITK and check_image_payload)
//   NRRD       (.nrrd, .nhdr) the NRRD000N magic, dimension 1..16, that many positive sizes, a
//              known type and encoding; attached raw data all present
// and checks the pixels the header promises (as float32, three copies: decoder, conversion,
// tensor) against the memory budget (core/common/memory_budget.h).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace qs::mri {

// Throws Error(kFormat) for a malformed header, Error(kUnsupported) when the image would not fit
// the memory budget; returns for files it has no guard for (compressed NIfTI; their sizes are
// checked by check_image_payload after ITK reads the header, which it does safely).
void guard_itk_input(const std::string& path);

// The same checks on bytes in memory; `name` picks the format by its extension (or the PNG
// signature) and names the file in messages. No LibTorch: the fuzzers call it.
void guard_image_bytes(const std::string& name, const uint8_t* data, size_t size);

}  // namespace qs::mri
