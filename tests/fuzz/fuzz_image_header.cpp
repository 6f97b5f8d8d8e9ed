// The image-header checks that stand before ITK (core/mri/io/header_guard.h), on arbitrary bytes:
// built once per format, QS_FUZZ_NAME ("fuzz.png", "fuzz.metaimage" -> .mha, "fuzz.dicom",
// "fuzz.nifti" -> .nii, "fuzz.nrrd") picking the format. A check may refuse with qs::Error; it must never crash, hang or read out of bounds.
#include <string>

#include "core/common/error.h"
#include "core/mri/io/header_guard.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string name = QS_FUZZ_NAME;
  if (name == "fuzz.metaimage") name = "fuzz.mha";
  if (name == "fuzz.nifti") name = "fuzz.nii";
  try {
    qs::mri::guard_image_bytes(name, data, size);
  } catch (const qs::Error&) {
  }
  return 0;
}
