#include "core/mri/io/payload_check.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "core/common/error.h"
#include "core/common/strings.h"

namespace qs::mri {

namespace {

namespace fs = std::filesystem;
constexpr uint64_t kMaxGzipRatio = 1100;  // deflate cannot expand data by more than ~1032x


// NIfTI-1 float payloads: counts NaN/Inf (datatype 16 float32, 64 float64) in `bytes`
// starting at the header's vox_offset. ITK 5.2's NIfTI reader hands back 0 where the file
// stores NaN (seen in tests/app/mri_cli_test.cpp), so the check must look at the file itself.
struct NiftiFloatScan {
  int datatype = 0;
  uint64_t offset = 0, seen = 0, non_finite = 0;
  std::vector<char> carry;
  void feed(const char* data, size_t n) {
    for (size_t i = 0; i < n; ++i, ++seen) {
      if (seen < offset) continue;
      carry.push_back(data[i]);
      const size_t width = datatype == 64 ? 8 : 4;
      if (carry.size() == width) {
        if (width == 4) {
          float f;
          std::memcpy(&f, carry.data(), 4);
          non_finite += !std::isfinite(f);
        } else {
          double d;
          std::memcpy(&d, carry.data(), 8);
          non_finite += !std::isfinite(d);
        }
        carry.clear();
      }
    }
  }
};

// Decompressed length of a gzip file, or throws when the stream is cut short or corrupt.
uint64_t gzip_length(const std::string& path, uint64_t stop_after, NiftiFloatScan* scan = nullptr) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) fail_io("cannot open '" + path + "'");
  std::vector<char> buf(1 << 20);
  uint64_t total = 0;
  int n = 0;
  while (total < stop_after && (n = gzread(f, buf.data(), static_cast<unsigned>(buf.size()))) > 0) {
    if (scan) scan->feed(buf.data(), static_cast<size_t>(n));
    total += static_cast<uint64_t>(n);
  }
  int err = Z_OK;
  const char* msg = gzerror(f, &err);
  const std::string message = msg ? msg : "";
  gzclose(f);
  if (n < 0 || (err != Z_OK && err != Z_STREAM_END)) fail_format("'" + path + "' is a damaged gzip stream (" + message + ")");
  return total;
}

// The header's "key = value" (MetaImage) or "key: value" (NRRD) for one key, case-insensitive.
std::string header_value(const std::string& header, const std::string& key, char sep) {
  std::string lower = header;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  size_t pos = 0;
  while ((pos = lower.find(key, pos)) != std::string::npos) {
    if (pos == 0 || lower[pos - 1] == '\n') {
      size_t p = pos + key.size();
      while (p < header.size() && header[p] == ' ') ++p;
      if (p < header.size() && header[p] == sep) {
        ++p;
        while (p < header.size() && header[p] == ' ') ++p;
        size_t end = header.find_first_of("\r\n", p);
        return header.substr(p, end == std::string::npos ? std::string::npos : end - p);
      }
    }
    pos += key.size();
  }
  return "";
}

std::string head_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string s(65536, '\0');
  in.read(s.data(), static_cast<std::streamsize>(s.size()));
  s.resize(static_cast<size_t>(in.gcount()));
  return s;
}

void need(const std::string& path, uint64_t have, uint64_t expected) {
  if (have < expected)
    fail_format("'" + path + "' is truncated: its header promises " + std::to_string(expected) + " bytes of pixels but only " + std::to_string(have) +
                " are there");
}

void check_file(const std::string& path, uint64_t expected, bool compressed) {
  const uint64_t size = fs::file_size(path);
  if (!compressed) return need(path, size, expected);
  if (expected / kMaxGzipRatio > size) fail_format("'" + path + "' claims " + std::to_string(expected) + " bytes of pixels, more than its compressed size allows");
  if (ends_with(path, ".gz") || ends_with(path, ".zraw")) need(path, gzip_length(path, expected), expected);
}

}  // namespace

void check_image_payload(const std::string& path, uint64_t expected, bool scan_values) {
  if (fs::is_directory(path)) return;  // DICOM series: GDCM checks each file
  const fs::path dir = fs::path(path).parent_path();
  if (ends_with(path, ".nii") || ends_with(path, ".nii.gz")) {
    constexpr uint64_t kNiftiHeader = 348;
    const bool gz = ends_with(path, ".gz");
    check_file(path, expected + kNiftiHeader, gz);
    if (!scan_values) return;
    // Float data: look for NaN/Inf ourselves (see NiftiFloatScan).
    std::string head(kNiftiHeader, '\0');
    if (gz) {
      gzFile f = gzopen(path.c_str(), "rb");
      const int got = f ? gzread(f, head.data(), static_cast<unsigned>(head.size())) : 0;
      if (f) gzclose(f);
      if (got != static_cast<int>(kNiftiHeader)) return;
    } else {
      head = head_of(path).substr(0, kNiftiHeader);
      if (head.size() < kNiftiHeader) return;
    }
    int16_t datatype = 0;
    float vox_offset = 0;
    std::memcpy(&datatype, head.data() + 70, 2);
    std::memcpy(&vox_offset, head.data() + 108, 4);
    if (datatype != 16 && datatype != 64) return;
    NiftiFloatScan scan;
    scan.datatype = datatype;
    scan.offset = static_cast<uint64_t>(std::max(352.0f, vox_offset));
    if (gz) {
      gzip_length(path, UINT64_MAX, &scan);
    } else {
      std::ifstream in(path, std::ios::binary);
      std::vector<char> buf(1 << 20);
      while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) scan.feed(buf.data(), static_cast<size_t>(in.gcount()));
    }
    if (scan.non_finite)
      fail(ErrorKind::kInvalidArgument, "'" + path + "' contains " + std::to_string(scan.non_finite) + " NaN/Inf value(s)");
    return;
  }
  if (ends_with(path, ".mha") || ends_with(path, ".mhd")) {
    const std::string h = head_of(path);
    const std::string file = header_value(h, "elementdatafile", '=');
    const bool compressed = header_value(h, "compresseddata", '=') == "True";
    if (file == "LOCAL") return compressed ? check_file(path, expected, true) : need(path, fs::file_size(path), expected);
    if (file.empty() || file.find('%') != std::string::npos || file.rfind("LIST", 0) == 0) return;  // series forms: MetaIO checks
    const fs::path data = fs::path(file).is_absolute() ? fs::path(file) : dir / file;
    if (!fs::exists(data)) fail_io("'" + path + "' names a data file '" + data.string() + "' that does not exist");
    return check_file(data.string(), expected, compressed);
  }
  if (ends_with(path, ".nrrd") || ends_with(path, ".nhdr")) {
    const std::string h = head_of(path);
    const std::string encoding = header_value(h, "encoding", ':');
    const bool compressed = encoding == "gzip" || encoding == "gz" || encoding == "bzip2" || encoding == "bz2";
    if (encoding != "raw" && !compressed) return;  // text/hex encodings: the NRRD reader parses them
    std::string file = header_value(h, "data file", ':');
    if (file.empty()) file = header_value(h, "datafile", ':');
    if (file.empty()) return check_file(path, expected, compressed);  // attached data (after the header)
    if (file.find(' ') != std::string::npos || file.rfind("LIST", 0) == 0) return;
    const fs::path data = fs::path(file).is_absolute() ? fs::path(file) : dir / file;
    if (!fs::exists(data)) fail_io("'" + path + "' names a data file '" + data.string() + "' that does not exist");
    return check_file(data.string(), expected, compressed);
  }
}

}  // namespace qs::mri
