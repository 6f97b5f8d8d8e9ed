#include "core/mri/io/itk_io.h"

#include <complex>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>
#include <mutex>

#include <itkGDCMImageIO.h>
#include <itkGDCMImageIOFactory.h>
#include <itkGDCMSeriesFileNames.h>
#include <itkImage.h>
#include <itkVectorImage.h>
#include <itkMetaDataObject.h>
#include <itkImageFileReader.h>
#include <itkImageFileWriter.h>
#include <itkImageIOFactory.h>
#include <itkImageSeriesReader.h>
#include <itkImageSeriesWriter.h>
#include <itkMetaImageIOFactory.h>
#include <itkNiftiImageIOFactory.h>
#include <itkNrrdImageIOFactory.h>
#include <itkNumericSeriesFileNames.h>
#include <itkPNGImageIOFactory.h>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/common/memory_budget.h"
#include "core/mri/io/header_guard.h"
#include "core/mri/io/payload_check.h"

namespace qs::mri {

namespace {

using Float4 = itk::Image<float, 4>;
using Complex4 = itk::Image<std::complex<float>, 4>;
using Float3 = itk::Image<float, 3>;

// The formats we read, registered once, explicitly (no CMake-generated factory list).
void register_factories() {
  static std::once_flag once;
  std::call_once(once, [] {
    itk::NiftiImageIOFactory::RegisterOneFactory();
    itk::MetaImageIOFactory::RegisterOneFactory();
    itk::NrrdImageIOFactory::RegisterOneFactory();
    itk::PNGImageIOFactory::RegisterOneFactory();
    itk::GDCMImageIOFactory::RegisterOneFactory();
  });
}

template <typename Image>
void copy_geometry(const Image* img, Geometry& g) {
  for (unsigned i = 0; i < 3; ++i) {
    g.spacing[i] = img->GetSpacing()[i];
    g.origin[i] = img->GetOrigin()[i];
    for (unsigned j = 0; j < 3; ++j) g.direction[i * 3 + j] = img->GetDirection()[i][j];
  }
}

// Buffer (x fastest, then y, z, t) -> tensor (S=z, H=y, W=x) of one time point.
template <typename Image>
Volume to_volume(typename Image::Pointer img, long long t, at::ScalarType dtype, const std::string& path) {
  const auto size = img->GetLargestPossibleRegion().GetSize();
  const int64_t w = size[0], h = size[1], s = size[2], nt = size[3];
  if (t >= nt) fail(ErrorKind::kInvalidArgument, "'" + path + "' has " + std::to_string(nt) + " time point(s); time point " + std::to_string(t) + " does not exist");
  Volume v;
  v.time_points = nt;
  v.time_point = t;
  const int64_t per_t = s * h * w;
  // VectorImage's buffer pointer is to the first component; 2 float components = 1 complex.
  auto* base = reinterpret_cast<char*>(img->GetBufferPointer());
  v.data = at::from_blob(base + t * per_t * static_cast<int64_t>(c10::elementSize(dtype)), {s, h, w}, dtype).clone();
  copy_geometry(img.GetPointer(), v.geometry);
  return v;
}

std::string format_of(const itk::ImageIOBase* io) {
  const std::string n = io->GetNameOfClass();
  if (n == "NiftiImageIO") return "NIfTI";
  if (n == "MetaImageIO") return "MetaImage";
  if (n == "NrrdImageIO") return "NRRD";
  if (n == "PNGImageIO") return "PNG";
  if (n == "GDCMImageIO") return "DICOM";
  return n;
}

// An ITK image of the tensor's shape (its last axis is x) holding a copy of its data; the
// tensor must be contiguous, on the CPU, of element type T.
template <typename Image, typename T>
typename Image::Pointer image_from_tensor(const at::Tensor& t) {
  auto img = Image::New();
  typename Image::SizeType size;
  for (unsigned i = 0; i < Image::ImageDimension; ++i) size[i] = static_cast<itk::SizeValueType>(t.size(t.dim() - 1 - i));
  img->SetRegions(typename Image::RegionType(size));
  img->Allocate();
  std::memcpy(img->GetBufferPointer(), t.data_ptr<T>(), static_cast<size_t>(t.numel()) * sizeof(T));
  return img;
}

template <typename Image>
void write_image(const std::string& path, const Image* img) {
  try {
    auto writer = itk::ImageFileWriter<Image>::New();
    writer->SetFileName(path);
    writer->SetInput(img);
    writer->Update();
  } catch (const itk::ExceptionObject& e) {
    fail_io("'" + path + "': " + first_line(e.GetDescription()));
  }
}

Volume read_dicom_folder(const std::string& folder) {
  auto names = itk::GDCMSeriesFileNames::New();
  names->SetUseSeriesDetails(true);
  names->SetDirectory(folder);
  const auto& uids = names->GetSeriesUIDs();
  if (uids.empty()) fail_format("'" + folder + "' is a folder without a DICOM series");
  auto reader = itk::ImageSeriesReader<Float3>::New();
  reader->SetImageIO(itk::GDCMImageIO::New());
  reader->SetFileNames(names->GetFileNames(uids.front()));
  reader->Update();
  Float3::Pointer img = reader->GetOutput();
  const auto size = img->GetLargestPossibleRegion().GetSize();
  Volume v;
  v.data = at::from_blob(img->GetBufferPointer(), {static_cast<int64_t>(size[2]), static_cast<int64_t>(size[1]), static_cast<int64_t>(size[0])}, at::kFloat).clone();
  copy_geometry(img.GetPointer(), v.geometry);
  v.format = "DICOM series (" + std::to_string(uids.size()) + " series in folder, first read)";
  return v;
}

}  // namespace

Volume read_itk_volume(const std::string& path, long long time_point) {
  register_factories();
  if (!std::filesystem::exists(path)) fail_io("'" + path + "' does not exist");
  guard_itk_input(path);  // decoders that abort or hang never see a header that would make them
  try {
    if (std::filesystem::is_directory(path)) {
      Volume v = read_dicom_folder(path);
      v.source = path;
      return v;
    }
    itk::ImageIOBase::Pointer io = itk::ImageIOFactory::CreateImageIO(path.c_str(), itk::IOFileModeEnum::ReadMode);
    if (!io) fail_format("'" + path + "' is not an image format Quantiscope reads (NIfTI, MetaImage, NRRD, PNG, DICOM, fastMRI HDF5, BART .cfl)");
    io->SetFileName(path);
    io->ReadImageInformation();
    if (io->GetNumberOfDimensions() > 4) fail(ErrorKind::kUnsupported, "'" + path + "' has more than 4 dimensions");
    double pixels = double(io->GetNumberOfComponents());
    for (unsigned i = 0; i < io->GetNumberOfDimensions(); ++i) pixels *= double(io->GetDimensions(i));
    char count[32];
    std::snprintf(count, sizeof count, "%.4g", pixels);
    require_within_budget(pixels * 4.0 * 3.0, "'" + path + "' (" + std::string(count) + " values as float32, decoded and converted)");
    check_image_payload(path, static_cast<uint64_t>(io->GetImageSizeInBytes()));
    const auto pixel = io->GetPixelType();
    const long long t = time_point < 0 ? 0 : time_point;
    Volume v;
    if (pixel == itk::IOPixelEnum::COMPLEX) {
      auto reader = itk::ImageFileReader<Complex4>::New();
      reader->SetFileName(path);
      reader->Update();
      v = to_volume<Complex4>(reader->GetOutput(), t, at::kComplexFloat, path);
    } else if (pixel == itk::IOPixelEnum::SCALAR) {
      auto reader = itk::ImageFileReader<Float4>::New();
      reader->SetFileName(path);
      reader->Update();
      v = to_volume<Float4>(reader->GetOutput(), t, at::kFloat, path);
    } else if ((pixel == itk::IOPixelEnum::VECTOR || pixel == itk::IOPixelEnum::COVARIANTVECTOR) && io->GetNumberOfComponents() == 2) {
      // Two interleaved channels (MetaImage's ElementNumberOfChannels = 2, as in ITK's
      // itkBrainSliceComplex.mha) are real and imaginary parts: the same bytes as complex<float>.
      auto reader = itk::ImageFileReader<itk::VectorImage<float, 4>>::New();
      reader->SetFileName(path);
      reader->Update();
      v = to_volume<itk::VectorImage<float, 4>>(reader->GetOutput(), t, at::kComplexFloat, path);
    } else if ((pixel == itk::IOPixelEnum::RGB || pixel == itk::IOPixelEnum::RGBA) && io->GetNumberOfComponents() >= 3) {
      // Grey images saved as colour (common for PNG slices): ITU-R 601 luminance.
      auto reader = itk::ImageFileReader<itk::VectorImage<float, 4>>::New();
      reader->SetFileName(path);
      reader->Update();
      const auto size = reader->GetOutput()->GetLargestPossibleRegion().GetSize();
      const int64_t nc = io->GetNumberOfComponents();
      const at::Tensor all = at::from_blob(reader->GetOutput()->GetBufferPointer(),
                                           {static_cast<int64_t>(size[3]), static_cast<int64_t>(size[2]), static_cast<int64_t>(size[1]), static_cast<int64_t>(size[0]), nc}, at::kFloat);
      if (t >= all.size(0)) fail(ErrorKind::kInvalidArgument, "'" + path + "' has no time point " + std::to_string(t));
      const at::Tensor rgb = all[t];
      v.data = (0.299 * rgb.select(-1, 0) + 0.587 * rgb.select(-1, 1) + 0.114 * rgb.select(-1, 2)).contiguous();
      copy_geometry(reader->GetOutput(), v.geometry);
    } else {
      fail(ErrorKind::kUnsupported, "'" + path + "' has " + itk::ImageIOBase::GetPixelTypeAsString(pixel) + " pixels; only scalar and complex images are MRI data");
    }
    v.source = path;
    v.format = format_of(io.GetPointer());
    return v;
  } catch (const itk::ExceptionObject& e) {
    fail_format("'" + path + "': " + first_line(e.GetDescription()));
  }
}

void write_itk_volume(const std::string& path, const Volume& v) {
  register_factories();
  at::Tensor d = v.data.to(at::kCPU);
  d = (d.is_complex() ? at::abs(d) : d).to(at::kFloat).contiguous();
  if (d.dim() == 2) d = d.unsqueeze(0);
  auto img = image_from_tensor<Float3, float>(d);
  Float3::SpacingType sp;
  Float3::PointType org;
  Float3::DirectionType dir;
  for (unsigned i = 0; i < 3; ++i) {
    sp[i] = v.geometry.spacing[i];
    org[i] = v.geometry.origin[i];
    for (unsigned j = 0; j < 3; ++j) dir[i][j] = v.geometry.direction[i * 3 + j];
  }
  img->SetSpacing(sp);
  img->SetOrigin(org);
  img->SetDirection(dir);
  write_image(path, img.GetPointer());
}

void verify_itk_file(const std::string& path, int64_t expected_values) {
  register_factories();
  try {
    itk::ImageIOBase::Pointer io = itk::ImageIOFactory::CreateImageIO(path.c_str(), itk::IOFileModeEnum::ReadMode);
    if (!io) fail_io("'" + path + "' does not read back as an image");
    io->SetFileName(path);
    io->ReadImageInformation();
    int64_t values = int64_t(io->GetNumberOfComponents());
    for (unsigned i = 0; i < io->GetNumberOfDimensions(); ++i) values *= int64_t(io->GetDimensions(i));
    if (values != expected_values) fail_io("'" + path + "' holds " + std::to_string(values) + " values of " + std::to_string(expected_values));
    check_image_payload(path, static_cast<uint64_t>(io->GetImageSizeInBytes()), false);
  } catch (const itk::ExceptionObject& e) {
    fail_io("'" + path + "' does not read back: " + first_line(e.GetDescription()));
  }
}

void write_dicom_series(const std::string& folder, const Volume& v) {
  register_factories();
  using Short3 = itk::Image<short, 3>;
  using Short2 = itk::Image<short, 2>;
  create_parent_folders(folder + "/.");
  at::Tensor d = v.data.to(at::kCPU);
  d = (d.is_complex() ? at::abs(d) : d).round().clamp(-32768, 32767).to(at::kShort).contiguous();
  auto img = image_from_tensor<Short3, int16_t>(d);
  Short3::SpacingType sp;
  for (unsigned i = 0; i < 3; ++i) sp[i] = v.geometry.spacing[i];
  img->SetSpacing(sp);
  auto names = itk::NumericSeriesFileNames::New();
  names->SetStartIndex(1);
  names->SetEndIndex(d.size(0));
  names->SetIncrementIndex(1);
  names->SetSeriesFormat(folder + "/slice%03d.dcm");
  // Each slice carries its position, spacing and the shared study/series UIDs, so a reader
  // can sort and group the files as a scanner's would be.
  auto io = itk::GDCMImageIO::New();
  io->KeepOriginalUIDOn();
  const std::string study = "1.2.826.0.1.3680043.2.1125.1.1", series = study + ".2";
  std::vector<itk::MetaDataDictionary*> dicts;
  std::vector<std::unique_ptr<itk::MetaDataDictionary>> owned;
  for (int64_t z = 0; z < d.size(0); ++z) {
    owned.push_back(std::make_unique<itk::MetaDataDictionary>());
    auto& m = *owned.back();
    const double zpos = v.geometry.origin[2] + static_cast<double>(z) * sp[2];
    itk::EncapsulateMetaData<std::string>(m, "0008|0060", "MR");
    itk::EncapsulateMetaData<std::string>(m, "0020|000d", study);
    itk::EncapsulateMetaData<std::string>(m, "0020|000e", series);
    itk::EncapsulateMetaData<std::string>(m, "0008|0018", series + "." + std::to_string(z + 1));
    itk::EncapsulateMetaData<std::string>(m, "0020|0013", std::to_string(z + 1));
    itk::EncapsulateMetaData<std::string>(m, "0020|0032", std::to_string(v.geometry.origin[0]) + "\\" + std::to_string(v.geometry.origin[1]) + "\\" + std::to_string(zpos));
    itk::EncapsulateMetaData<std::string>(m, "0020|0037", "1\\0\\0\\0\\1\\0");
    itk::EncapsulateMetaData<std::string>(m, "0028|0030", std::to_string(sp[1]) + "\\" + std::to_string(sp[0]));
    itk::EncapsulateMetaData<std::string>(m, "0018|0050", std::to_string(sp[2]));
    dicts.push_back(&m);
  }
  auto writer = itk::ImageSeriesWriter<Short3, Short2>::New();
  writer->SetInput(img);
  writer->SetImageIO(io);
  writer->SetFileNames(names->GetFileNames());
  writer->SetMetaDataDictionaryArray(&dicts);
  try {
    writer->Update();
  } catch (const itk::ExceptionObject& e) {
    fail_io("'" + folder + "': " + first_line(e.GetDescription()));
  }
}

}  // namespace qs::mri
