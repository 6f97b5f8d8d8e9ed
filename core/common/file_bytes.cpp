#include "core/common/file_bytes.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "core/common/error.h"

namespace qs {

namespace {

const char* kind_of(mode_t m) {
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISSOCK(m)) return "a socket";
  if (S_ISDIR(m)) return "a folder";
  return "not a regular file";
}

}  // namespace

void require_regular_file(const std::string& path, const std::string& what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) fail_io(what + " '" + path + "': " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) fail_io(what + " '" + path + "' is " + kind_of(st.st_mode) + ", not a regular file");
}

void require_regular_file_or_folder(const std::string& path, const std::string& what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) fail_io(what + " '" + path + "': " + std::strerror(errno));
  if (!S_ISDIR(st.st_mode)) return require_regular_file(path, what);
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(path, ec)) {
    struct stat es {};
    if (::stat(e.path().c_str(), &es) == 0 && !S_ISREG(es.st_mode) && !S_ISDIR(es.st_mode))
      fail_io(what + " folder '" + path + "' holds '" + e.path().filename().string() + "', which is " + kind_of(es.st_mode) + ", not a regular file");
  }
  if (ec) fail_io(what + " folder '" + path + "': " + ec.message());
}

std::shared_ptr<FileBytes> FileBytes::open(const std::string& path) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; fstat below refuses it.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) fail_io("cannot open '" + path + "': " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    fail_io("'" + path + "' is " + kind_of(st.st_mode) + ", not a regular file");
  }
  std::shared_ptr<FileBytes> fb(new FileBytes());
  fb->path_ = path;
  fb->size_ = static_cast<size_t>(st.st_size);
  if (fb->size_ > 0) {
    void* m = ::mmap(nullptr, fb->size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED) {
      ::close(fd);
      fail_io("cannot map '" + path + "': " + std::strerror(errno));
    }
    fb->map_ = m;
    fb->data_ = static_cast<const uint8_t*>(m);
  }
  ::close(fd);
  return fb;
}

std::shared_ptr<FileBytes> FileBytes::from_buffer(const uint8_t* data, size_t size) {
  std::shared_ptr<FileBytes> fb(new FileBytes());
  fb->owned_.assign(reinterpret_cast<const char*>(data), size);
  fb->data_ = reinterpret_cast<const uint8_t*>(fb->owned_.data());
  fb->size_ = size;
  fb->path_ = "<memory>";
  return fb;
}

FileBytes::~FileBytes() {
  if (map_) ::munmap(map_, size_);
}

void ByteReader::seek(size_t pos) {
  if (pos > size_) fail_format(what_ + ": offset " + std::to_string(pos) + " is past the end (" + std::to_string(size_) + " bytes)");
  pos_ = pos;
}

void ByteReader::read(void* out, size_t n, const char* field) {
  if (n > size_ - pos_)
    fail_format(what_ + ": truncated while reading " + field + " at byte " + std::to_string(pos_) + " (need " +
                std::to_string(n) + ", " + std::to_string(size_ - pos_) + " left)");
  std::memcpy(out, data_ + pos_, n);
  pos_ += n;
}

void ByteReader::skip(size_t n, const char* field) {
  if (n > size_ - pos_)
    fail_format(what_ + ": truncated while skipping " + field + " at byte " + std::to_string(pos_));
  pos_ += n;
}

std::string read_text_file(const std::string& path) {
  auto bytes = FileBytes::open(path);
  return std::string(reinterpret_cast<const char*>(bytes->data()), bytes->size());
}

namespace {
constexpr uint32_t kSha256K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
    0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
    0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
    0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2};

inline uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

void sha256_block(uint32_t h[8], const uint8_t* p) {
  uint32_t w[64];
  for (int i = 0; i < 16; ++i) w[i] = (uint32_t(p[4 * i]) << 24) | (uint32_t(p[4 * i + 1]) << 16) | (uint32_t(p[4 * i + 2]) << 8) | p[4 * i + 3];
  for (int i = 16; i < 64; ++i) {
    uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (int i = 0; i < 64; ++i) {
    uint32_t t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + kSha256K[i] + w[i];
    uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
  }
  h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}
}  // namespace

std::string sha256_hex(const uint8_t* data, size_t size) {
  uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  size_t full = size / 64;
  for (size_t i = 0; i < full; ++i) sha256_block(h, data + 64 * i);
  uint8_t tail[128] = {0};
  size_t rest = size - full * 64;
  if (rest) std::memcpy(tail, data + full * 64, rest);
  tail[rest] = 0x80;
  size_t tail_len = rest + 9 <= 64 ? 64 : 128;
  uint64_t bits = uint64_t(size) * 8;
  for (int i = 0; i < 8; ++i) tail[tail_len - 1 - i] = uint8_t(bits >> (8 * i));
  for (size_t off = 0; off < tail_len; off += 64) sha256_block(h, tail + off);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (uint32_t v : h)
    for (int s = 28; s >= 0; s -= 4) out += hex[(v >> s) & 0xf];
  return out;
}

}  // namespace qs
