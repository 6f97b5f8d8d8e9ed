#include "core/mri/io/header_guard.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <vector>

#include "core/common/error.h"
#include "core/common/file_bytes.h"
#include "core/common/memory_budget.h"
#include "core/common/strings.h"

namespace qs::mri {
namespace {

uint32_t be32(const uint8_t* p) { return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]); }
uint16_t le16(const uint8_t* p) { return uint16_t(p[0] | p[1] << 8); }
uint32_t le32(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24; }

void bad(const std::string& path, const std::string& why) { fail_format("'" + path + "' " + why); }

void budget_for_pixels(const std::string& path, double pixels, double channels) {
  char count[32];  // pixels may exceed any integer type (a fuzzer's header): printed as a double
  std::snprintf(count, sizeof count, "%.4g", pixels);
  require_within_budget(pixels * channels * 4.0 * 3.0, "'" + path + "' (" + count + " pixels)");
}

void guard_png(const std::string& path, const uint8_t* d, size_t n) {
  static const uint8_t kSig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (n < 8 || std::memcmp(d, kSig, 8) != 0) bad(path, "is not a PNG file (no PNG signature)");
  size_t pos = 8;
  bool ihdr = false, idat = false, iend = false;
  uint32_t width = 0, height = 0;
  int channels = 1;
  for (int index = 0; pos < n && !iend; ++index) {
    if (n - pos < 12) bad(path, "is truncated inside a PNG chunk header at byte " + std::to_string(pos));
    const uint32_t len = be32(d + pos);
    const std::string type(reinterpret_cast<const char*>(d + pos + 4), 4);
    if (len > 0x7fffffffu || len > n - pos - 12) bad(path, "is truncated: PNG chunk '" + type + "' claims " + std::to_string(len) + " bytes past the end of the file");
    const uint32_t crc = uint32_t(crc32(crc32(0L, Z_NULL, 0), d + pos + 4, len + 4));
    if (crc != be32(d + pos + 8 + len)) bad(path, "has a damaged PNG chunk '" + type + "' (CRC mismatch)");
    const uint8_t* c = d + pos + 8;
    if (index == 0 && type != "IHDR") bad(path, "does not start with a PNG IHDR chunk");
    if (type == "IHDR") {
      if (index != 0 || len != 13) bad(path, "has a malformed PNG IHDR chunk");
      width = be32(c), height = be32(c + 4);
      const int depth = c[8], colour = c[9];
      if (width == 0 || height == 0 || width > 0x7fffffffu || height > 0x7fffffffu)
        bad(path, "claims a " + std::to_string(width) + " x " + std::to_string(height) + " PNG image");
      const bool ok = (colour == 0 && (depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16)) || (colour == 3 && (depth == 1 || depth == 2 || depth == 4 || depth == 8)) ||
                      ((colour == 2 || colour == 4 || colour == 6) && (depth == 8 || depth == 16));
      if (!ok || c[10] != 0 || c[11] != 0 || c[12] > 1) bad(path, "has an invalid PNG IHDR (bit depth " + std::to_string(depth) + ", colour type " + std::to_string(colour) + ")");
      channels = colour == 2 ? 3 : colour == 4 ? 2 : colour == 6 ? 4 : 1;
      ihdr = true;
    }
    idat |= type == "IDAT";
    iend = type == "IEND";
    pos += size_t(len) + 12;
  }
  if (!ihdr) bad(path, "has no PNG IHDR chunk");
  if (!idat) bad(path, "has no PNG image data (IDAT)");
  if (!iend) bad(path, "is truncated: no PNG IEND chunk");
  budget_for_pixels(path, double(width) * double(height), channels);
}

void guard_metaimage(const std::string& path, const uint8_t* d, size_t n) {
  const std::string head(reinterpret_cast<const char*>(d), std::min<size_t>(n, 65536));
  std::istringstream in(head);
  std::string line;
  long long ndims = -1;
  std::vector<long long> dims;
  std::string element_type, data_file;
  double channels = 1;
  bool has_data_file = false;
  while (std::getline(in, line)) {
    const size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = trim(line.substr(0, eq)), value = trim(line.substr(eq + 1));
    std::transform(key.begin(), key.end(), key.begin(), ::tolower);
    std::istringstream v(value);
    if (key == "ndims") {
      if (!(v >> ndims) || ndims < 1 || ndims > 4) bad(path, "has 'NDims = " + value + "': a MetaImage volume has 1 to 4 dimensions");
    } else if (key == "dimsize") {
      long long d;
      while (v >> d) dims.push_back(d);
    } else if (key == "elementnumberofchannels") {
      if (!(v >> channels) || channels < 1 || channels > 64) bad(path, "has 'ElementNumberOfChannels = " + value + "'");
    } else if (key == "elementtype") {
      element_type = value;
    } else if (key == "elementdatafile") {
      has_data_file = true;
      break;  // the header ends here
    }
  }
  if (!has_data_file) bad(path, "has no ElementDataFile line in its first 64 KiB: not a MetaImage header");
  if (ndims < 1) bad(path, "has no NDims line");
  if (int64_t(dims.size()) != ndims) bad(path, "has " + std::to_string(dims.size()) + " DimSize values for NDims = " + std::to_string(ndims));
  double pixels = 1;
  for (long long d : dims) {
    if (d < 1) bad(path, "has a DimSize of " + std::to_string(d));
    pixels *= double(d);
  }
  static const char* kTypes[] = {"MET_CHAR", "MET_UCHAR", "MET_SHORT", "MET_USHORT", "MET_INT", "MET_UINT", "MET_LONG", "MET_ULONG",
                                 "MET_LONG_LONG", "MET_ULONG_LONG", "MET_FLOAT", "MET_DOUBLE"};
  if (std::none_of(std::begin(kTypes), std::end(kTypes), [&](const char* t) { return element_type == t; }))
    bad(path, "has ElementType '" + element_type + "', which is not a MetaImage pixel type");
  budget_for_pixels(path, pixels, channels);
}

// One element header at `pos`: returns the value length and advances past the header; false
// when the file ends inside it.
bool element_header(const uint8_t* d, size_t n, size_t& pos, bool explicit_vr, uint16_t& group, uint32_t& len) {
  if (n - pos < 8) return false;
  group = le16(d + pos);
  if (!explicit_vr) {
    len = le32(d + pos + 4);
    pos += 8;
    return true;
  }
  const std::string vr(reinterpret_cast<const char*>(d + pos + 4), 2);
  const bool long_form = vr == "OB" || vr == "OW" || vr == "OF" || vr == "SQ" || vr == "UT" || vr == "UN" || vr == "OD" || vr == "OL" || vr == "UC" || vr == "UR" || vr == "OV" || vr == "SV" || vr == "UV";
  if (!long_form) {
    len = le16(d + pos + 6);
    pos += 8;
    return true;
  }
  if (n - pos < 12) return false;
  len = le32(d + pos + 8);
  pos += 12;
  return true;
}

void guard_dicom(const std::string& path, const uint8_t* d, size_t n) {
  if (n < 132 || std::memcmp(d + 128, "DICM", 4) != 0) return;  // no Part 10 header: GDCM sniffs it
  size_t pos = 132;
  std::string syntax;
  while (true) {  // the file meta group (0002,xxxx): explicit VR little endian
    if (n - pos < 8) bad(path, "is truncated inside its DICOM file meta header, and has no data set");
    if (le16(d + pos) != 0x0002) break;
    uint16_t group;
    uint32_t len;
    const uint16_t element = le16(d + pos + 2);
    if (!element_header(d, n, pos, true, group, len) || len == 0xffffffffu || len > n - pos)
      bad(path, "is truncated inside its DICOM file meta header (element (0002," + std::to_string(element) + "))");
    if (element == 0x0010) syntax = std::string(reinterpret_cast<const char*>(d + pos), len);
    pos += len;
  }
  while (!syntax.empty() && (syntax.back() == '\0' || syntax.back() == ' ')) syntax.pop_back();
  if (syntax.empty()) bad(path, "has no transfer syntax in its DICOM file meta header");
  const bool implicit = syntax == "1.2.840.10008.1.2", explicit_le = syntax == "1.2.840.10008.1.2.1";
  if (!implicit && !explicit_le) return;  // compressed or big endian: GDCM's own checks
  while (pos < n) {
    const size_t at = pos;
    uint16_t group;
    uint32_t len;
    if (!element_header(d, n, pos, explicit_le, group, len)) bad(path, "is truncated inside a DICOM element header at byte " + std::to_string(at));
    if (len == 0xffffffffu) return;  // a sequence or encapsulated pixels: GDCM walks those
    if (len > n - pos) bad(path, "is truncated: a DICOM element at byte " + std::to_string(at) + " claims " + std::to_string(len) + " bytes past the end of the file");
    pos += len;
  }
}

// NIfTI-1 (348-byte header) and NIfTI-2 (540), either byte order. Single files ("n+1", "n+2")
// must hold the voxels their header promises after vox_offset; header/image pairs (".hdr", "ni1")
// are checked for the header only.
void guard_nifti(const std::string& path, const uint8_t* d, size_t n) {
  if (n < 348) bad(path, "is too short for a NIfTI header (" + std::to_string(n) + " bytes)");
  auto rd = [&](size_t off, int bytes, bool swap) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= uint64_t(d[off + size_t(swap ? bytes - 1 - i : i)]) << (8 * i);
    return v;
  };
  const uint32_t size_le = uint32_t(rd(0, 4, false)), size_be = uint32_t(rd(0, 4, true));
  const bool v2 = size_le == 540 || size_be == 540;
  if (!v2 && size_le != 348 && size_be != 348) bad(path, "is not a NIfTI file (sizeof_hdr is neither 348 nor 540)");
  const bool swap = v2 ? size_be == 540 : size_be == 348;
  if (v2 && n < 540) bad(path, "is truncated inside its NIfTI-2 header");
  const size_t dim_off = v2 ? 16 : 40, dtype_off = v2 ? 12 : 70, bitpix_off = v2 ? 14 : 72;
  const int dim_bytes = v2 ? 8 : 2;
  auto dim = [&](int i) { return int64_t(dim_bytes == 8 ? int64_t(rd(dim_off + 8 * size_t(i), 8, swap)) : int16_t(rd(dim_off + 2 * size_t(i), 2, swap))); };
  const int64_t nd = dim(0);
  if (nd < 1 || nd > 7) bad(path, "has a NIfTI dim[0] of " + std::to_string(nd) + " (expected 1..7)");
  double voxels = 1;
  for (int i = 1; i <= nd; ++i) {
    const int64_t v = dim(i);
    if (v < 1) bad(path, "has a NIfTI dim[" + std::to_string(i) + "] of " + std::to_string(v));
    voxels *= double(v);
  }
  const int dtype = int16_t(rd(dtype_off, 2, swap)), bitpix = int16_t(rd(bitpix_off, 2, swap));
  static const int kTypes[][2] = {{2, 8}, {4, 16}, {8, 32}, {16, 32}, {32, 64}, {64, 64}, {128, 24}, {256, 8}, {512, 16}, {768, 32}, {1024, 64}, {1280, 64}, {1536, 128}, {1792, 128}, {2048, 256}, {2304, 32}};
  int bits = 0;
  for (const auto& t : kTypes)
    if (t[0] == dtype) bits = t[1];
  if (bits == 0) bad(path, "has an unknown NIfTI datatype " + std::to_string(dtype));
  if (bitpix != bits) bad(path, "has a NIfTI bitpix of " + std::to_string(bitpix) + " for datatype " + std::to_string(dtype) + " (expected " + std::to_string(bits) + ")");
  const std::string magic(reinterpret_cast<const char*>(d + (v2 ? 4 : 344)), 3);
  if (magic == "n+1" || magic == "n+2") {
    const double offset = v2 ? double(int64_t(rd(168, 8, swap))) : double([&] {
      float f;
      const uint32_t u = uint32_t(rd(108, 4, swap));
      std::memcpy(&f, &u, 4);
      return f;
    }());
    const double header = v2 ? 544 : 352;
    if (!(offset >= header)) bad(path, "has a NIfTI vox_offset inside its header");
    const double need = offset + voxels * bits / 8.0;
    if (need > double(n)) {
      char want[32];
      std::snprintf(want, sizeof want, "%.6g", need);
      bad(path, "is truncated: its NIfTI header places " + std::string(want) + " bytes of voxels and header in a file of " + std::to_string(n) + " bytes");
    }
  }
  budget_for_pixels(path, voxels, 1);
}

// NRRD ("NRRD000N" then "field: value" lines up to a blank line): dimension 1..16, sizes with
// that many positive integers, a known type and encoding; raw data in the same file must be all
// there.
void guard_nrrd(const std::string& path, const uint8_t* d, size_t n) {
  if (n < 8 || std::memcmp(d, "NRRD000", 7) != 0 || d[7] < '1' || d[7] > '5') bad(path, "is not a NRRD file (no NRRD000N magic)");
  const size_t limit = std::min<size_t>(n, 1 << 20);
  size_t pos = 0, data_start = 0;
  int64_t dimension = -1;
  std::vector<double> sizes;
  std::string type, encoding = "raw";
  bool detached = false, sizes_seen = false;
  for (bool first = true; pos < limit; first = false) {
    const uint8_t* nl = static_cast<const uint8_t*>(std::memchr(d + pos, '\n', limit - pos));
    const size_t end = nl ? size_t(nl - d) : limit;
    std::string line(reinterpret_cast<const char*>(d + pos), end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (first) continue;
    if (line.empty()) {
      data_start = pos;
      break;
    }
    if (line[0] == '#') continue;
    const size_t colon = line.find(": ");
    if (colon == std::string::npos) {
      if (line.find(":=") != std::string::npos) continue;  // key/value pairs
      bad(path, "has a NRRD header line without ': ' (\"" + line.substr(0, 40) + "\")");
    }
    const std::string field = to_lower(line.substr(0, colon)), value = line.substr(colon + 2);
    std::istringstream in(value);
    if (field == "dimension") {
      if (!(in >> dimension) || dimension < 1 || dimension > 16) bad(path, "has a NRRD dimension of '" + value + "' (expected 1..16)");
    } else if (field == "sizes") {
      double v;
      std::string tok;
      while (in >> tok) {
        char* stop = nullptr;
        v = std::strtod(tok.c_str(), &stop);
        if (*stop != '\0' || !(v >= 1) || v != std::floor(v)) bad(path, "has a NRRD size '" + tok.substr(0, 20) + "'");
        sizes.push_back(v);
      }
      sizes_seen = true;
    } else if (field == "type") {
      type = to_lower(value);
    } else if (field == "encoding") {
      encoding = to_lower(value);
    } else if (field == "data file" || field == "datafile") {
      detached = true;
    }
  }
  if (dimension < 0) bad(path, "has no NRRD dimension field");
  if (!sizes_seen || int64_t(sizes.size()) != dimension) bad(path, "has " + std::to_string(sizes.size()) + " NRRD sizes for dimension " + std::to_string(dimension));
  static const std::pair<const char*, int> kTypes[] = {
      {"signed char", 1}, {"int8", 1}, {"int8_t", 1}, {"uchar", 1}, {"unsigned char", 1}, {"uint8", 1}, {"uint8_t", 1},
      {"short", 2}, {"short int", 2}, {"signed short", 2}, {"signed short int", 2}, {"int16", 2}, {"int16_t", 2},
      {"ushort", 2}, {"unsigned short", 2}, {"unsigned short int", 2}, {"uint16", 2}, {"uint16_t", 2},
      {"int", 4}, {"signed int", 4}, {"int32", 4}, {"int32_t", 4}, {"uint", 4}, {"unsigned int", 4}, {"uint32", 4}, {"uint32_t", 4},
      {"longlong", 8}, {"long long", 8}, {"long long int", 8}, {"signed long long", 8}, {"signed long long int", 8}, {"int64", 8}, {"int64_t", 8},
      {"ulonglong", 8}, {"unsigned long long", 8}, {"unsigned long long int", 8}, {"uint64", 8}, {"uint64_t", 8}, {"float", 4}, {"double", 8}};
  int bytes = 0;
  for (const auto& t : kTypes)
    if (type == t.first) bytes = t.second;
  if (bytes == 0) bad(path, "has an unsupported NRRD type '" + type.substr(0, 40) + "'");
  static const char* kEncodings[] = {"raw", "ascii", "text", "txt", "hex", "gzip", "gz", "bzip2", "bz2"};
  if (std::none_of(std::begin(kEncodings), std::end(kEncodings), [&](const char* e) { return encoding == e; }))
    bad(path, "has an unknown NRRD encoding '" + encoding.substr(0, 40) + "'");
  double voxels = 1;
  for (double v : sizes) voxels *= v;
  if (!detached && encoding == "raw") {
    if (data_start == 0) bad(path, "has no end to its NRRD header (no blank line) and no data file");
    if (voxels * bytes > double(n - data_start)) bad(path, "is truncated: its NRRD header promises more raw data than the file holds");
  }
  budget_for_pixels(path, voxels, 1);
}

void guard_dicom_file(const std::string& path) {
  const auto f = FileBytes::open(path);
  guard_dicom(path, f->data(), f->size());
}

}  // namespace

void guard_image_bytes(const std::string& name, const uint8_t* data, size_t size) {
  static const uint8_t kSig[4] = {0x89, 'P', 'N', 'G'};
  const std::string lower = to_lower(name);
  if (ends_with(lower, ".png") || (size >= 4 && std::memcmp(data, kSig, 4) == 0)) return guard_png(name, data, size);
  if (ends_with(lower, ".mha") || ends_with(lower, ".mhd")) return guard_metaimage(name, data, size);
  if (ends_with(lower, ".nii") || (ends_with(lower, ".hdr") && size >= 348)) return guard_nifti(name, data, size);
  if (ends_with(lower, ".nrrd") || ends_with(lower, ".nhdr")) return guard_nrrd(name, data, size);
  guard_dicom(name, data, size);
}

void guard_itk_input(const std::string& path) {
  namespace fs = std::filesystem;
  auto guard_file = [](const std::string& p) {
    const auto f = FileBytes::open(p);
    guard_image_bytes(p, f->data(), f->size());
  };
  if (!fs::is_directory(path)) return guard_file(path);
  for (const auto& e : fs::directory_iterator(path))  // a DICOM series: only Part 10 files are checked
    if (e.is_regular_file()) guard_dicom_file(e.path().string());
}

}  // namespace qs::mri
