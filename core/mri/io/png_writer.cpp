#include "core/mri/io/png_writer.h"

#include <zlib.h>

#include "core/common/atomic_file.h"
#include "core/common/error.h"

namespace qs::mri {
namespace {

void put_be32(std::string& b, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(char(v >> s));
}

void chunk(std::string& png, const char* type, const std::string& data) {
  put_be32(png, uint32_t(data.size()));
  const size_t start = png.size();
  png.append(type, 4);
  png += data;
  put_be32(png, uint32_t(crc32(0L, reinterpret_cast<const Bytef*>(png.data() + start), uInt(data.size() + 4))));
}

}  // namespace

std::string encode_png_gray8(const at::Tensor& pixels_in) {
  const at::Tensor p = pixels_in.to(at::kCPU, at::kByte).contiguous();
  if (p.dim() != 2 || p.size(0) < 1 || p.size(1) < 1) fail(ErrorKind::kInvalidArgument, "PNG output takes one non-empty 2-D slice");
  const int64_t h = p.size(0), w = p.size(1);
  // Filter type 0 (none) before every row.
  std::string raw;
  raw.reserve(size_t(h * (w + 1)));
  const char* px = reinterpret_cast<const char*>(p.data_ptr<uint8_t>());
  for (int64_t y = 0; y < h; ++y) raw.push_back('\0'), raw.append(px + y * w, size_t(w));
  uLongf zlen = compressBound(uLong(raw.size()));
  std::string z(zlen, '\0');
  if (compress2(reinterpret_cast<Bytef*>(z.data()), &zlen, reinterpret_cast<const Bytef*>(raw.data()), uLong(raw.size()), 6) != Z_OK)
    fail(ErrorKind::kInternal, "PNG output: zlib failed");
  z.resize(zlen);
  std::string png("\x89PNG\r\n\x1a\n", 8), ihdr;
  put_be32(ihdr, uint32_t(w)), put_be32(ihdr, uint32_t(h));
  ihdr += std::string("\x08\x00\x00\x00\x00", 5);  // 8-bit grey, deflate, no filter method, no interlace
  chunk(png, "IHDR", ihdr);
  chunk(png, "IDAT", z);
  chunk(png, "IEND", "");
  return png;
}

void write_png_slice(const std::string& path, const at::Tensor& slice, double low, double high, bool overwrite) {
  at::Tensor s = slice.to(at::kCPU);
  s = (s.is_complex() ? at::abs(s) : s).to(at::kDouble);
  if (s.dim() != 2) fail(ErrorKind::kInvalidArgument, "PNG output takes one 2-D slice");
  const double span = high > low ? high - low : 1.0;
  const std::string png = encode_png_gray8(((s - low) / span * 255.0).round().clamp(0, 255).to(at::kByte));
  write_file_atomically(path, png, overwrite);
}

}  // namespace qs::mri
