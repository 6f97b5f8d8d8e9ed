#include "core/mri/io/fastmri_h5.h"

#include <H5Cpp.h>

#include <algorithm>
#include <complex>
#include <filesystem>
#include <fstream>
#include <vector>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/common/file_bytes.h"
#include "core/common/memory_budget.h"

namespace qs::mri {

namespace {

// An h5py complex64: compound {r: float32, i: float32}.
H5::CompType complex_type() {
  H5::CompType t(sizeof(std::complex<float>));
  t.insertMember("r", 0, H5::PredType::NATIVE_FLOAT);
  t.insertMember("i", sizeof(float), H5::PredType::NATIVE_FLOAT);
  return t;
}

std::vector<hsize_t> dims_of(const H5::DataSet& ds) {
  const H5::DataSpace space = ds.getSpace();
  std::vector<hsize_t> d(static_cast<size_t>(std::max(0, space.getSimpleExtentNdims())));
  space.getSimpleExtentDims(d.data());
  return d;
}

// Refuses datasets whose element count could not have come from this file (a lying header
// must not cause a huge allocation): the bytes a dataset really stores (HDF5's allocated storage:
// a chunked dataset that was never written has none) may expand by deflate's limit at most, and
// what it decodes to must fit the memory budget.
void check_plausible(const H5::DataSet& ds, const std::vector<hsize_t>& dims, size_t element_size, const std::string& what, uintmax_t file_size) {
  // long double: exact enough for a limit check and cannot overflow on lying dimensions.
  long double n = 1;
  for (auto d : dims) n *= static_cast<long double>(d);
  const long double bytes = n * static_cast<long double>(element_size);
  const long double stored = static_cast<long double>(std::min<uintmax_t>(ds.getStorageSize(), file_size));
  if (n > 0 && stored == 0) fail_format("'" + what + "' claims " + std::to_string(static_cast<double>(n)) + " elements but stores none (a dataset that was never written)");
  if (bytes > stored * 1100.0L)
    fail_format("'" + what + "' claims " + std::to_string(static_cast<double>(n)) + " elements (" + std::to_string(static_cast<double>(bytes)) + " bytes) from " +
                std::to_string(static_cast<double>(stored)) + " stored bytes, more than compression can expand");
  require_within_budget(static_cast<double>(bytes) * 3.0, "'" + what + "' (" + std::to_string(static_cast<double>(n)) + " elements)");
}

at::Tensor read_complex(const H5::DataSet& ds, const std::string& path, uintmax_t file_size) {
  const H5::DataType type = ds.getDataType();
  if (type.getClass() != H5T_COMPOUND) fail_format("'" + path + "': kspace is not complex (expected an HDF5 compound of r and i)");
  const H5::CompType ct = ds.getCompType();
  if (ct.getNmembers() != 2 || ct.getMemberName(0) != "r" || ct.getMemberName(1) != "i")
    fail_format("'" + path + "': kspace compound must have members r and i");
  const auto dims = dims_of(ds);
  if (dims.size() != 3 && dims.size() != 4)
    fail_format("'" + path + "': kspace has " + std::to_string(dims.size()) + " dimensions; fastMRI uses (S, H, W) or (S, C, H, W)");
  check_plausible(ds, dims, 8, "kspace", file_size);
  std::vector<int64_t> shape(dims.begin(), dims.end());
  at::Tensor t = at::empty(shape, at::kComplexFloat);
  ds.read(t.data_ptr(), complex_type());
  return t;
}

at::Tensor read_float(const H5::DataSet& ds, const std::string& name, uintmax_t file_size) {
  if (ds.getDataType().getClass() != H5T_FLOAT && ds.getDataType().getClass() != H5T_INTEGER)
    fail_format("'" + name + "' is not numeric");
  const auto dims = dims_of(ds);
  check_plausible(ds, dims, 4, name, file_size);
  std::vector<int64_t> shape(dims.begin(), dims.end());
  at::Tensor t = at::empty(shape, at::kFloat);
  ds.read(t.data_ptr(), H5::PredType::NATIVE_FLOAT);
  return t;
}

void read_attributes(const H5::H5File& f, Scan& scan) {
  for (int i = 0; i < f.getNumAttrs(); ++i) {
    const H5::Attribute a = f.openAttribute(static_cast<unsigned>(i));
    const std::string name = a.getName();
    const H5T_class_t cls = a.getTypeClass();
    if (a.getSpace().getSimpleExtentNpoints() != 1) continue;
    if (cls == H5T_FLOAT || cls == H5T_INTEGER) {
      double v = 0;
      a.read(H5::PredType::NATIVE_DOUBLE, &v);
      scan.numeric_attrs[name] = v;
    } else if (cls == H5T_STRING) {
      std::string v;
      a.read(a.getStrType(), v);
      scan.attrs[name] = v;
    }
  }
}

void write_float(H5::H5File& f, const std::string& name, const at::Tensor& x) {
  const at::Tensor t = x.to(at::kCPU, at::kFloat).contiguous();
  std::vector<hsize_t> dims(t.sizes().begin(), t.sizes().end());
  H5::DataSpace space(static_cast<int>(dims.size()), dims.data());
  // Images are stored in chunks of one slice, shuffled and deflated: a head volume with its empty
  // background shrinks several times (the GPU machine's transfers are size-limited), and any
  // HDF5 reader, h5py included, reads it as usual.
  H5::DSetCreatPropList props;
  if (!dims.empty() && t.numel() > 0) {
    std::vector<hsize_t> chunk = dims;
    for (size_t i = 0; i + 2 < chunk.size(); ++i) chunk[i] = 1;
    props.setChunk(static_cast<int>(chunk.size()), chunk.data());
    props.setShuffle();
    props.setDeflate(4);
  }
  f.createDataSet(name, H5::PredType::NATIVE_FLOAT, space, props).write(t.data_ptr(), H5::PredType::NATIVE_FLOAT);
}

}  // namespace

bool is_hdf5_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return false;  // a FIFO would block in open()
  std::ifstream in(path, std::ios::binary);
  char sig[8] = {};
  in.read(sig, 8);
  return in.gcount() == 8 && std::string(sig, 8) == std::string("\x89HDF\r\n\x1a\n", 8);
}

Scan read_fastmri(const std::string& path) {
  if (!std::filesystem::exists(path)) fail_io("'" + path + "' does not exist");
  require_regular_file(path, "fastMRI file");
  if (!is_hdf5_file(path)) fail_format("'" + path + "' is not an HDF5 file");
  const uintmax_t file_size = std::filesystem::file_size(path);
  H5::Exception::dontPrint();
  try {
    H5::H5File f(path, H5F_ACC_RDONLY);
    Scan scan;
    std::string found;
    for (hsize_t i = 0; i < f.getNumObjs(); ++i) found += (found.empty() ? "" : ", ") + f.getObjnameByIdx(i);
    if (f.nameExists("kspace")) {
      scan.kspace = read_complex(f.openDataSet("kspace"), path, file_size);
      scan.multicoil = scan.kspace.dim() == 4;
      if (!scan.multicoil) scan.kspace = scan.kspace.unsqueeze(1);
    }
    for (const char* name : {"reconstruction_rss", "reconstruction_esc"}) {
      if (f.nameExists(name) && !scan.target.defined()) {
        scan.target = read_float(f.openDataSet(name), name, file_size);
        scan.target_name = name;
        if (scan.target.dim() != 3) fail_format("'" + path + "': " + std::string(name) + " must be (S, H, W), got " + shape_string(scan.target));
      }
    }
    if (f.nameExists("mask")) scan.mask = read_float(f.openDataSet("mask"), "mask", file_size);
    if (!scan.kspace.defined() && !scan.target.defined() && !scan.mask.defined())
      fail_format("'" + path + "' has no fastMRI 'kspace', 'reconstruction_*' or 'mask' dataset (it has: " + (found.empty() ? "nothing" : found) + ")");
    read_attributes(f, scan);
    return scan;
  } catch (const H5::Exception& e) {
    fail_format("'" + path + "': HDF5 error in " + e.getFuncName() + ": " + e.getDetailMsg());
  }
}

void write_fastmri(const std::string& path, const Scan& scan) {
  H5::Exception::dontPrint();
  AtomicFile out(path, true);  // callers decide about replacing; a device or FIFO is refused here
  try {
    H5::H5File f(out.temp_path(), H5F_ACC_TRUNC);
    if (scan.kspace.defined()) {
      at::Tensor k = scan.kspace.to(at::kCPU, at::kComplexFloat);
      if (!scan.multicoil && k.dim() == 4) k = k.squeeze(1);
      k = k.contiguous();
      std::vector<hsize_t> dims(k.sizes().begin(), k.sizes().end());
      H5::DataSpace space(static_cast<int>(dims.size()), dims.data());
      f.createDataSet("kspace", complex_type(), space).write(k.data_ptr(), complex_type());
    }
    if (scan.target.defined()) write_float(f, scan.target_name.empty() ? "reconstruction_esc" : scan.target_name, scan.target);
    if (scan.mask.defined()) write_float(f, "mask", scan.mask);
    const H5::DataSpace scalar(H5S_SCALAR);
    for (const auto& [name, v] : scan.numeric_attrs)
      f.createAttribute(name, H5::PredType::NATIVE_DOUBLE, scalar).write(H5::PredType::NATIVE_DOUBLE, &v);
    for (const auto& [name, v] : scan.attrs) {
      H5::StrType st(H5::PredType::C_S1, H5T_VARIABLE);
      f.createAttribute(name, st, scalar).write(st, v);
    }
    f.close();  // flushes: a full disk shows here
  } catch (const H5::Exception& e) {
    fail_io("'" + path + "': cannot write HDF5 (" + e.getDetailMsg() + ")");
  }
  out.commit();
}

}  // namespace qs::mri
