// Read-only view of a whole file, memory-mapped. Parsers check every offset against size()
// before touching bytes, so a lying header cannot read past the end or allocate gigabytes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace qs {

class FileBytes {
 public:
  // Throws Error(kIo) if the file is missing or unreadable.
  static std::shared_ptr<FileBytes> open(const std::string& path);
  // Wraps an in-memory buffer (fuzzers and tests).
  static std::shared_ptr<FileBytes> from_buffer(const uint8_t* data, size_t size);
  ~FileBytes();
  FileBytes(const FileBytes&) = delete;
  FileBytes& operator=(const FileBytes&) = delete;

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  FileBytes() = default;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  void* map_ = nullptr;  // non-null when memory-mapped
  std::string owned_;    // backing store for from_buffer
  std::string path_;
};

// Bounds-checked little-endian reader over a byte range; every read names what it reads so
// errors say which field was truncated.
class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size, std::string what) : data_(data), size_(size), what_(std::move(what)) {}
  size_t offset() const { return pos_; }
  size_t remaining() const { return size_ - pos_; }
  void seek(size_t pos);
  void read(void* out, size_t n, const char* field);
  template <typename T>
  T get(const char* field) {
    T v;
    read(&v, sizeof(T), field);
    return v;
  }
  const uint8_t* pointer() const { return data_ + pos_; }
  void skip(size_t n, const char* field);

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  std::string what_;
};

// Throws Error(kIo) naming `what` and the path unless it is an existing regular file: a FIFO, a
// device or a socket would block in open() or never end, and a folder is not a file.
void require_regular_file(const std::string& path, const std::string& what);
// The same for an input that may also be a folder (DICOM series, Hugging Face models): every entry
// directly inside must be a regular file or a folder.
void require_regular_file_or_folder(const std::string& path, const std::string& what);

// The whole file as a string; throws Error(kIo) naming the file when it cannot be read.
std::string read_text_file(const std::string& path);

// SHA-256 of a file's bytes as lowercase hex (model identity in metadata panels and files).
std::string sha256_hex(const uint8_t* data, size_t size);

}  // namespace qs
