#include "core/mri/io/cfl.h"

#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/common/strings.h"
#include "core/mri/io/cfl_header.h"
#include "core/common/file_bytes.h"

namespace qs::mri {

namespace {
constexpr int kCoilDim = 3;
constexpr int kSliceDim = 13;

}  // namespace

bool is_cfl_path(const std::string& path) { return ends_with(path, ".cfl") || ends_with(path, ".hdr"); }

std::string cfl_base(const std::string& path) { return is_cfl_path(path) ? path.substr(0, path.size() - 4) : path; }

at::Tensor read_cfl(const std::string& path) {
  const std::string base = cfl_base(path);
  const CflHeader header = parse_cfl_header(read_text_file(base + ".hdr"), base + ".hdr");
  const std::vector<int64_t>& dims = header.dims;
  const uint64_t total = header.elements;
  const auto file = FileBytes::open(base + ".cfl");
  const FileBytes& bytes = *file;
  if (total * 8 != static_cast<uint64_t>(bytes.size()))
    fail_format("'" + base + ".cfl' holds " + std::to_string(bytes.size()) + " bytes but its header promises " +
                std::to_string(static_cast<long long>(total)) + " complex values");
  const int64_t w = dims[0], h = dims[1], c = dims[kCoilDim];
  int64_t s = dims[2];
  for (int i = 4; i < kBartDims; ++i) s *= dims[i];
  if (c > 1 && dims[2] > 1) fail(ErrorKind::kUnsupported, "'" + base + "': 3-D multi-coil data (dims 2 and 3 both > 1) is not supported");
  at::Tensor t = at::empty({static_cast<int64_t>(total)}, at::kComplexFloat);
  std::memcpy(t.data_ptr(), bytes.data(), bytes.size());
  if (c > 1) return t.view({s, c, h, w});
  return t.view({s, h, w});
}

void write_cfl(const std::string& path, const at::Tensor& x, bool overwrite) {
  const std::string base = cfl_base(path);
  std::vector<int64_t> dims(kBartDims, 1);
  at::Tensor t = x.to(at::kCPU);
  t = (t.is_complex() ? t : t.to(at::kFloat)).to(at::kComplexFloat).contiguous();
  dims[0] = t.size(-1);
  dims[1] = t.size(-2);
  if (t.dim() == 3) dims[kSliceDim] = t.size(0);
  else if (t.dim() == 4) dims[kCoilDim] = t.size(1), dims[kSliceDim] = t.size(0);
  else if (t.dim() != 2) fail(ErrorKind::kInvalidArgument, "write_cfl takes 2-D, 3-D or 4-D tensors");
  // Both files are the output: either may exist, both are checked, the data lands before its header.
  AtomicFile c(base + ".cfl", overwrite, {base + ".hdr"}), h(base + ".hdr", overwrite, {base + ".cfl"});
  std::string header = "# Dimensions\n";
  for (int i = 0; i < kBartDims; ++i) header += std::to_string(dims[i]) + (i + 1 < kBartDims ? " " : "\n");
  c.write(t.data_ptr(), size_t(t.numel()) * 8);
  h.write(header);
  c.commit();
  h.commit();
}

}  // namespace qs::mri
