// fastMRI's HDF5 layout (one volume per file): `kspace` complex64 (S, H, W) single-coil or
// (S, C, H, W) multi-coil, stored as h5py does it (a compound of float32 members r and i);
// `reconstruction_esc` / `reconstruction_rss` float32 (S, H', W'); optional `mask` (W);
// attributes max, norm, acceleration (numbers) and acquisition, patient_id (strings).
#pragma once
#include <string>

#include "core/mri/volume.h"

namespace qs::mri {

// Reads whatever of the layout is present; a file with none of kspace, reconstruction_* and
// mask is a layout error naming the datasets it does have.
Scan read_fastmri(const std::string& path);
// Writes kspace (as single- or multi-coil per scan.multicoil), target, mask and attributes.
void write_fastmri(const std::string& path, const Scan& scan);
// True when the file starts with the HDF5 signature.
bool is_hdf5_file(const std::string& path);

}  // namespace qs::mri
