// Image volumes through ITK: NIfTI (.nii, .nii.gz), MetaImage (.mha/.mhd), NRRD (.nrrd/.nhdr),
// PNG (a 2-D image is a one-slice volume) and DICOM series folders. Scalar and complex pixels;
// 4-D files give one time point. Only built where ITK is (not on the GPU machine).
#pragma once
#include <string>

#include "core/mri/volume.h"

namespace qs::mri {

// time_point < 0 means 0. Errors name the file and what is wrong with it.
Volume read_itk_volume(const std::string& path, long long time_point);
// Float32 magnitude (complex data is written as its magnitude) with the volume's geometry;
// the format follows the extension (.nii, .nii.gz, .mha, .nrrd).
void write_itk_volume(const std::string& path, const Volume& volume);
// Reads back what write_itk_volume wrote (header, value count, every promised byte present;
// values not judged): ITK does not always report a failed write.
void verify_itk_file(const std::string& path, int64_t expected_values);

// A DICOM series (one file per slice) from a volume; used by tests and for export.
void write_dicom_series(const std::string& folder, const Volume& volume);

}  // namespace qs::mri
