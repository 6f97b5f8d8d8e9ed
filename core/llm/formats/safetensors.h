// safetensors reader (no torch): u64 header length, a JSON header mapping tensor names to
// {dtype, shape, data_offsets}, then the data. Every entry is checked against the file.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/common/file_bytes.h"

namespace qs::safetensors {

enum class DType { kF32, kF16, kBF16, kF64, kI64, kI32, kI16, kI8, kU8, kBool };
const char* dtype_name(DType d);
size_t dtype_size(DType d);

struct TensorInfo {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<int64_t> shape;
  uint64_t offset = 0;  // absolute, in the file
  uint64_t n_bytes = 0;
};

class File {
 public:
  static File open(const std::string& path);
  static File parse(std::shared_ptr<FileBytes> bytes);
  const std::map<std::string, TensorInfo>& tensors() const { return tensors_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  const TensorInfo* find(const std::string& name) const;
  const uint8_t* data(const TensorInfo& t) const { return bytes_->data() + t.offset; }
  const std::string& path() const { return bytes_->path(); }

 private:
  std::shared_ptr<FileBytes> bytes_;
  std::map<std::string, TensorInfo> tensors_;
  std::map<std::string, std::string> metadata_;
};

// Parses only the JSON header bytes (for the fuzzer and for callers that already hold them).
void parse_header(const std::string& json_text, uint64_t data_size, uint64_t data_start,
                  std::map<std::string, TensorInfo>* tensors, std::map<std::string, std::string>* metadata);

}  // namespace qs::safetensors
