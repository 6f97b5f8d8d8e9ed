#include "core/mri/io/fastmri_h5.h"

#include <gtest/gtest.h>

#include <filesystem>

#include <H5Cpp.h>

#include <fstream>

#include "core/common/error.h"
#include "core/mri/io/volume_io.h"
#include "tests/support/test_support.h"

namespace qs::mri {
namespace {

Scan sample_scan(bool multicoil) {
  at::manual_seed(5);
  Scan s;
  s.multicoil = multicoil;
  s.kspace = at::randn({3, multicoil ? 4 : 1, 10, 12}, at::kComplexFloat);
  s.target = at::rand({3, 8, 8});
  s.target_name = multicoil ? "reconstruction_rss" : "reconstruction_esc";
  s.mask = (at::rand({12}) > 0.5).to(at::kFloat);
  s.numeric_attrs = {{"max", 0.000123456789}, {"norm", 7.5}};
  s.attrs = {{"acquisition", "CORPD_FBK"}, {"patient_id", "abc123"}};
  return s;
}

TEST(FastMriH5, WrittenFilesReadBackBitExact) {
  test::TempDir dir;
  for (bool multicoil : {false, true}) {
    const Scan s = sample_scan(multicoil);
    const std::string path = dir.file(multicoil ? "multi.h5" : "single.h5");
    write_fastmri(path, s);
    const Scan r = read_fastmri(path);
    EXPECT_EQ(r.multicoil, multicoil);
    EXPECT_TRUE(at::equal(r.kspace, s.kspace));
    EXPECT_TRUE(at::equal(r.target, s.target));
    EXPECT_EQ(r.target_name, s.target_name);
    EXPECT_TRUE(at::equal(r.mask, s.mask));
    EXPECT_EQ(r.numeric_attrs.at("max"), 0.000123456789);
    EXPECT_EQ(r.attrs.at("acquisition"), "CORPD_FBK");
    EXPECT_EQ(r.attrs.at("patient_id"), "abc123");
  }
}

TEST(FastMriH5, KspaceIsStoredAsH5pyComplex) {
  test::TempDir dir;
  const std::string path = dir.file("k.h5");
  write_fastmri(path, sample_scan(false));
  H5::H5File f(path, H5F_ACC_RDONLY);
  const H5::DataSet ds = f.openDataSet("kspace");
  ASSERT_EQ(ds.getTypeClass(), H5T_COMPOUND);
  const H5::CompType t = ds.getCompType();
  ASSERT_EQ(t.getNmembers(), 2);
  EXPECT_EQ(t.getMemberName(0), "r");
  EXPECT_EQ(t.getMemberName(1), "i");
  EXPECT_EQ(t.getSize(), 8u);
  EXPECT_EQ(ds.getSpace().getSimpleExtentNdims(), 3);  // single-coil: (S, H, W)
}

void expect_format_error(const std::string& path, const std::string& needle) {
  try {
    read_fastmri(path);
    FAIL() << "no error for " << path;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(FastMriH5, WrongLayoutsAreClearErrors) {
  test::TempDir dir;
  {  // kspace stored as plain floats
    H5::H5File f(dir.file("float_kspace.h5"), H5F_ACC_TRUNC);
    hsize_t dims[3] = {2, 4, 4};
    std::vector<float> data(32, 1.f);
    f.createDataSet("kspace", H5::PredType::NATIVE_FLOAT, H5::DataSpace(3, dims)).write(data.data(), H5::PredType::NATIVE_FLOAT);
  }
  expect_format_error(dir.file("float_kspace.h5"), "not complex");
  {  // 2-D kspace
    H5::H5File f(dir.file("flat.h5"), H5F_ACC_TRUNC);
    H5::CompType ct(size_t{8});
    ct.insertMember("r", 0, H5::PredType::NATIVE_FLOAT);
    ct.insertMember("i", 4, H5::PredType::NATIVE_FLOAT);
    hsize_t dims[2] = {4, 4};
    std::vector<float> data(32, 1.f);
    f.createDataSet("kspace", ct, H5::DataSpace(2, dims)).write(data.data(), ct);
  }
  expect_format_error(dir.file("flat.h5"), "2 dimensions");
  {  // no fastMRI datasets at all
    H5::H5File f(dir.file("other.h5"), H5F_ACC_TRUNC);
    hsize_t dims[1] = {3};
    std::vector<float> data(3, 1.f);
    f.createDataSet("weights", H5::PredType::NATIVE_FLOAT, H5::DataSpace(1, dims)).write(data.data(), H5::PredType::NATIVE_FLOAT);
  }
  expect_format_error(dir.file("other.h5"), "it has: weights");
  expect_format_error(dir.write("text.h5", std::string("not hdf5 at all")), "not an HDF5 file");
  // Truncated: the first half of a valid file.
  write_fastmri(dir.file("whole.h5"), sample_scan(true));
  const auto bytes = test::read_bytes(dir.file("whole.h5"));
  expect_format_error(dir.write("half.h5", std::vector<uint8_t>(bytes.begin(), bytes.begin() + static_cast<long>(bytes.size() / 2))), "HDF5 error");
  EXPECT_THROW(read_fastmri(dir.file("missing.h5")), Error);
}

// A chunked kspace of 3.4 GB that was never written takes a few KB on disk: HDF5 would hand back
// fill values for all of it. Refused from the storage it really holds, before any allocation.
TEST(FastMriH5, NeverWrittenChunkedDatasetsAreRefused) {
  test::TempDir dir;
  {
    H5::H5File f(dir.file("empty.h5"), H5F_ACC_TRUNC);
    H5::CompType ct(size_t{8});
    ct.insertMember("r", 0, H5::PredType::NATIVE_FLOAT);
    ct.insertMember("i", 4, H5::PredType::NATIVE_FLOAT);
    hsize_t dims[3] = {200, 1440, 1480}, chunk[3] = {1, 64, 64};
    H5::DSetCreatPropList plist;
    plist.setChunk(3, chunk);
    f.createDataSet("kspace", ct, H5::DataSpace(3, dims), plist);  // created, never written
  }
  EXPECT_LT(std::filesystem::file_size(dir.file("empty.h5")), 1u << 20);
  expect_format_error(dir.file("empty.h5"), "stores none (a dataset that was never written)");
}

TEST(FastMriH5, ScanWithoutKspaceIsNotAScan) {
  test::TempDir dir;
  Scan s = sample_scan(false);
  s.kspace = at::Tensor();
  write_fastmri(dir.file("target_only.h5"), s);
  EXPECT_THROW(read_scan(dir.file("target_only.h5")), Error);
  EXPECT_EQ(read_volume(dir.file("target_only.h5")).data.sizes(), s.target.sizes());
}

}  // namespace
}  // namespace qs::mri
