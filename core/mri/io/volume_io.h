// One entry point for MRI files, chosen by content and extension: fastMRI HDF5 (.h5),
// BART (.cfl/.hdr), and everything ITK reads (NIfTI, MetaImage, NRRD, PNG, DICOM folders).
#pragma once
#include <string>

#include "core/mri/volume.h"

namespace qs::mri {

struct ReadOptions {
  long long time_point = 0;  // for 4-D files
};

// An image volume: ITK formats as stored; fastMRI files give their reconstruction_* target
// (else the RSS of the fully sampled k-space); .cfl images (coil images are RSS-combined).
Volume read_volume(const std::string& path, const ReadOptions& options = {});
// k-space: fastMRI files, or a .cfl holding (S, [C,] H, W) k-space.
Scan read_scan(const std::string& path);

struct WriteOptions {
  bool force = false;                       // replace an existing file
  double window_low = 0, window_high = -1;  // PNG: high < low means 0 .. the volume's 99.5th percentile
  long long png_slice = -1;                 // PNG: which slice (-1 = middle)
};
// NIfTI/MetaImage/NRRD (magnitude, geometry kept), PNG (one windowed slice), .h5 (as
// reconstruction_esc), .cfl (complex kept).
// A mask: .h5 (its `mask` dataset), .cfl (magnitude), anything read_volume reads (one slice).
at::Tensor read_mask(const std::string& path);

void write_volume(const std::string& path, const Volume& volume, const WriteOptions& options = {});
void write_scan(const std::string& path, const Scan& scan, bool force);

// Whether this build reads ITK formats (the GPU build has no ITK).
bool have_itk();

}  // namespace qs::mri
