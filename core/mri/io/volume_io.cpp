#include "core/mri/io/volume_io.h"

#include <filesystem>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/common/file_bytes.h"
#include "core/common/strings.h"
#include "core/common/output_guard.h"
#include "core/mri/fft.h"
#include "core/mri/io/cfl.h"
#include "core/mri/io/fastmri_h5.h"
#include "core/mri/simulate.h"
#ifdef QS_WITH_ITK
#include "core/mri/io/itk_io.h"
#include "core/mri/io/png_writer.h"
#endif

namespace qs::mri {

namespace {

bool is_h5(const std::string& p) { return ends_with(p, ".h5") || ends_with(p, ".hdf5"); }

#ifndef QS_WITH_ITK
[[noreturn]] void no_itk(const std::string& path) {
  fail(ErrorKind::kUnsupported, "'" + path + "': this build has no ITK; it reads fastMRI .h5 and BART .cfl only");
}
#endif

}  // namespace

bool have_itk() {
#ifdef QS_WITH_ITK
  return true;
#else
  return false;
#endif
}

Volume read_volume(const std::string& path, const ReadOptions& o) {
  if (!std::filesystem::exists(path) && !(is_cfl_path(path) && std::filesystem::exists(cfl_base(path) + ".hdr")))
    fail_io("'" + path + "' does not exist");
  if (!is_cfl_path(path)) require_regular_file_or_folder(path, "volume");
  Volume v;
  if (is_h5(path) || (!std::filesystem::is_directory(path) && is_hdf5_file(path))) {
    Scan s = read_fastmri(path);
    v.data = s.target.defined() ? s.target : rss(ifft2c(s.kspace), 1).to(at::kFloat);
    v.format = "fastMRI HDF5 (" + (s.target.defined() ? s.target_name : std::string("RSS of kspace")) + ")";
  } else if (is_cfl_path(path)) {
    v.data = read_cfl(path);
    if (v.data.dim() == 4) v.data = rss(v.data, 1).to(at::kFloat);
    v.format = "BART cfl";
  } else {
#ifdef QS_WITH_ITK
    v = read_itk_volume(path, o.time_point);
#else
    no_itk(path);
#endif
  }
  v.source = path;
  check_finite(v.data, "'" + path + "'");
  return v;
}

Scan read_scan(const std::string& path) {
  if (is_cfl_path(path)) {
    Scan s;
    s.kspace = read_cfl(path);
    s.multicoil = s.kspace.dim() == 4;
    if (!s.multicoil) s.kspace = s.kspace.unsqueeze(1);
    check_finite(s.kspace, "k-space in '" + path + "'");
    return s;
  }
  if (!std::filesystem::exists(path)) fail_io("'" + path + "' does not exist");
  require_regular_file(path, "k-space");
  Scan s = read_fastmri(path);
  if (!s.kspace.defined()) fail_format("'" + path + "' has no 'kspace' dataset (it holds only " + (s.target_name.empty() ? std::string("a mask") : s.target_name) + ")");
  check_finite(s.kspace, "k-space in '" + path + "'");
  return s;
}

at::Tensor read_mask(const std::string& path) {
  if (!is_cfl_path(path)) require_regular_file_or_folder(path, "mask");
  if (is_h5(path) || (std::filesystem::is_regular_file(path) && is_hdf5_file(path))) {
    Scan s = read_fastmri(path);
    if (!s.mask.defined()) fail_format("'" + path + "' has no 'mask' dataset");
    return s.mask;
  }
  at::Tensor m = is_cfl_path(path) ? read_cfl(path) : read_volume(path).data;
  m = (m.is_complex() ? at::abs(m) : m).to(at::kFloat);
  if (m.dim() == 3 && m.size(0) == 1) m = m[0];
  if (m.dim() != 2 && m.dim() != 1) fail_format("'" + path + "' is not a 1-D or 2-D mask (it is " + shape_string(m) + ")");
  return m;
}

void write_volume(const std::string& path, const Volume& v, const WriteOptions& o) {
  if (is_cfl_path(path)) return write_cfl(path, v.data, o.force);
  check_writable_target(path, o.force);
  if (is_h5(path)) {
    Scan s;
    s.target = v.data.is_complex() ? at::abs(v.data) : v.data;
    s.target_name = "reconstruction_esc";
    s.numeric_attrs["max"] = s.target.max().item<double>();
    return write_fastmri(path, s);
  }
#ifdef QS_WITH_ITK
  if (ends_with(path, ".png")) {
    const at::Tensor mag = (v.data.is_complex() ? at::abs(v.data) : v.data).to(at::kCPU, at::kFloat);
    const long long s = o.png_slice < 0 ? mag.size(0) / 2 : o.png_slice;
    if (s >= mag.size(0)) fail(ErrorKind::kInvalidArgument, "slice " + std::to_string(s) + " is outside the volume's " + std::to_string(mag.size(0)) + " slices");
    double lo = o.window_low, hi = o.window_high;
    if (hi < lo) {
      lo = 0;
      hi = at::quantile(mag.flatten().to(at::kDouble), 0.995).item<double>();
    }
    return write_png_slice(path, mag[s], lo, hi, o.force);
  }
  // Formats whose header names a second file cannot be renamed into place as one file.
  for (const char* detached : {".mhd", ".nhdr", ".hdr", ".img"})
    if (ends_with(path, detached)) fail(ErrorKind::kUnsupported, "'" + path + "': detached-header formats are not written; use .nii, .nii.gz, .mha or .nrrd");
  AtomicFile out(path, o.force);
  write_itk_volume(out.temp_path(), v);
  // ITK does not always report a failed write (a full disk gave a missing or short file and
  // "success"): read the result back before it replaces anything.
  try {
    verify_itk_file(out.temp_path(), v.data.numel());
  } catch (const Error& e) {
    fail_io("cannot write '" + path + "': " + std::string(e.what()));
  }
  out.commit();
#else
  no_itk(path);
#endif
}

void write_scan(const std::string& path, const Scan& scan, bool force) {
  if (is_cfl_path(path)) return write_cfl(path, scan.multicoil ? scan.kspace : scan.kspace.squeeze(1), force);
  check_writable_target(path, force);
  write_fastmri(path, scan);
}

}  // namespace qs::mri
