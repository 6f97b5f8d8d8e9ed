#include "core/mri/io/itk_io.h"

#include <gtest/gtest.h>

#include <cstring>

#include "core/common/error.h"
#include "core/mri/io/volume_io.h"
#include "tests/support/test_support.h"

namespace qs::mri {
namespace {

const std::string kItkData = "/usr/share/doc/insighttoolkit5-examples/examples/Data/";

TEST(ItkIo, ReadsColin27WithGeometry) {
  const Volume v = read_volume("/usr/share/mricron/templates/ch2better.nii.gz");
  EXPECT_EQ(v.format, "NIfTI");
  EXPECT_EQ(v.data.sizes(), (std::vector<int64_t>{316, 370, 301}));  // (z, y, x)
  EXPECT_DOUBLE_EQ(v.geometry.spacing[0], 0.5);
  EXPECT_DOUBLE_EQ(v.geometry.direction[0], -1.0);  // stored LPS-flipped x axis
  EXPECT_GT(v.data.max().item<float>(), 100.f);
}

TEST(ItkIo, FourDimensionalFilesGiveOneTimePoint) {
  const std::string epi = test::asset("mri/nibabel/example4d.nii.gz");
  const Volume t0 = read_volume(epi, {0}), t1 = read_volume(epi, {1});
  EXPECT_EQ(t0.time_points, 2);
  EXPECT_EQ(t0.data.sizes(), (std::vector<int64_t>{24, 96, 128}));
  EXPECT_NEAR(t0.geometry.spacing[2], 2.2, 1e-5);
  EXPECT_FALSE(at::equal(t0.data, t1.data));
  EXPECT_LT((t0.data - t1.data).abs().mean().item<double>(), 0.2 * t0.data.abs().mean().item<double>());  // same anatomy
  EXPECT_THROW(read_volume(epi, {2}), Error);
}

TEST(ItkIo, ComplexSliceKeepsItsPhase) {
  const Volume c = read_volume(kItkData + "itkBrainSliceComplex.mha");
  ASSERT_TRUE(c.data.is_complex());
  const Volume mag = read_volume(kItkData + "itkBrainSliceComplexMagnitude.mha");
  const Volume phase = read_volume(kItkData + "itkBrainSliceComplexPhase.mha");
  EXPECT_LT((at::abs(c.data) - mag.data).abs().max().item<double>(), 1e-3);
  EXPECT_LT((at::angle(c.data) - phase.data).abs().max().item<double>(), 1e-4);
  EXPECT_GT(phase.data.abs().max().item<double>(), 0.5);  // real phase, not zero
}

TEST(ItkIo, PngAndNrrdAreOneSliceVolumes) {
  const Volume png = read_volume(kItkData + "BrainProtonDensitySliceBorder20.png");
  const Volume nrrd = read_volume(kItkData + "BrainProtonDensitySliceBorder20.nhdr");
  EXPECT_EQ(png.data.size(0), 1);
  EXPECT_EQ(nrrd.format, "NRRD");
  ASSERT_EQ(png.data.sizes(), nrrd.data.sizes());
  // The PNG is stored as RGB grey: its luminance equals the NRRD values to rounding.
  EXPECT_LT((png.data - nrrd.data).abs().max().item<double>(), 1e-3);
}

TEST(ItkIo, NiftiAndDicomRoundTrip) {
  test::TempDir dir;
  Volume v = read_volume(test::asset("mri/nibabel/example4d.nii.gz"));
  v.data = v.data.slice(0, 0, 5).contiguous();
  write_volume(dir.file("out.nii.gz"), v);
  const Volume back = read_volume(dir.file("out.nii.gz"));
  EXPECT_TRUE(at::equal(back.data, v.data));
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(back.geometry.spacing[i], v.geometry.spacing[i], 1e-6);
  EXPECT_THROW(write_volume(dir.file("out.nii.gz"), v), Error);  // no silent overwrite
  WriteOptions force;
  force.force = true;
  write_volume(dir.file("out.nii.gz"), v, force);

  write_dicom_series(dir.file("dicom"), v);
  const Volume dcm = read_volume(dir.file("dicom"));
  EXPECT_NE(dcm.format.find("DICOM"), std::string::npos);
  EXPECT_TRUE(at::equal(dcm.data, v.data.round()));
  EXPECT_NEAR(dcm.geometry.spacing[2], v.geometry.spacing[2], 1e-3);
}

TEST(ItkIo, BadFilesAreClearErrors) {
  test::TempDir dir;
  EXPECT_THROW(read_volume(dir.file("absent.nii.gz")), Error);
  try {
    read_volume(dir.write("noise.nii", std::string(1000, 'x')));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("noise.nii"), std::string::npos) << e.what();
  }
  const auto bytes = test::read_bytes(test::asset("mri/nibabel/example4d.nii.gz"));
  EXPECT_THROW(read_volume(dir.write("cut.nii.gz", std::vector<uint8_t>(bytes.begin(), bytes.begin() + 5000))), Error);
  EXPECT_THROW(read_volume(dir.path()), Error);  // a folder without DICOM files
  // Truncated raw data (ITK itself would fill the rest silently): NIfTI and MetaImage.
  const auto mha = test::read_bytes(kItkData + "itkBrainSliceComplex.mha");
  EXPECT_THROW(read_volume(dir.write("cut.mha", std::vector<uint8_t>(mha.begin(), mha.begin() + static_cast<long>(mha.size() / 2)))), Error);
  Volume v = read_volume(test::asset("mri/nibabel/example4d.nii.gz"));
  write_volume(dir.file("raw.nii"), v);
  const auto raw = test::read_bytes(dir.file("raw.nii"));
  EXPECT_THROW(read_volume(dir.write("cut.nii", std::vector<uint8_t>(raw.begin(), raw.end() - 1000))), Error);
  // A header claiming far more pixels than the file holds is refused before any allocation.
  std::vector<uint8_t> lying = raw;
  const int16_t huge = 30000;
  std::memcpy(lying.data() + 42, &huge, 2);  // dim[1..3] of the NIfTI-1 header
  std::memcpy(lying.data() + 44, &huge, 2);
  std::memcpy(lying.data() + 46, &huge, 2);
  EXPECT_THROW(read_volume(dir.write("lying.nii", lying)), Error);
}

}  // namespace
}  // namespace qs::mri
