// GGUF v2/v3 reader (no torch): metadata of every type and the tensor directory, each size and
// offset checked against the file length before anything is allocated.
//
// Layout (little-endian): "GGUF" u32 version, u64 n_tensors, u64 n_kv;
// n_kv x (string key, u32 type, value); n_tensors x (string name, u32 n_dims, u64 dims[n_dims],
// u32 ggml_type, u64 offset); padding to general.alignment (default 32); tensor data, each
// tensor at data_start + offset. Strings are u64 length + bytes (no terminator).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/common/file_bytes.h"
#include "core/llm/formats/ggml_types.h"

namespace qs::gguf {

enum class ValueType : uint32_t {
  kUint8 = 0, kInt8 = 1, kUint16 = 2, kInt16 = 3, kUint32 = 4, kInt32 = 5, kFloat32 = 6, kBool = 7,
  kString = 8, kArray = 9, kUint64 = 10, kInt64 = 11, kFloat64 = 12,
};
const char* value_type_name(ValueType t);

// One metadata value. Scalars live in the matching field; arrays keep their element type and
// elements (nested arrays allowed by the format are kept too).
struct Value {
  ValueType type = ValueType::kUint8;
  ValueType element_type = ValueType::kUint8;  // arrays only
  int64_t i = 0;     // signed and bool scalars
  uint64_t u = 0;    // unsigned scalars
  double f = 0;      // float scalars
  std::string s;     // strings
  std::vector<Value> array;

  bool is_integer() const;
  bool is_float() const { return type == ValueType::kFloat32 || type == ValueType::kFloat64; }
  // Numeric view of any scalar number; throws for strings and arrays.
  double as_double() const;
  int64_t as_int() const;
  // Short human-readable rendering (arrays summarised), for `info` and the metadata panel.
  std::string to_display() const;
};

struct TensorInfo {
  std::string name;
  std::vector<uint64_t> dims;  // ggml order: dims[0] is the fastest-varying (input) dimension
  ggml::Type type = ggml::Type::kF32;
  uint64_t offset = 0;         // absolute offset in the file
  uint64_t n_bytes = 0;
  uint64_t n_elements() const;
};

class File {
 public:
  static File open(const std::string& path);
  static File parse(std::shared_ptr<FileBytes> bytes);

  uint32_t version() const { return version_; }
  uint64_t alignment() const { return alignment_; }
  const std::map<std::string, Value>& metadata() const { return kv_; }
  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  const FileBytes& bytes() const { return *bytes_; }
  std::shared_ptr<FileBytes> bytes_ptr() const { return bytes_; }

  bool has(const std::string& key) const { return kv_.count(key) != 0; }
  const Value* find(const std::string& key) const;
  // Typed getters that fail loudly on a missing key or a type mismatch.
  std::string get_string(const std::string& key) const;
  int64_t get_int(const std::string& key) const;
  double get_float(const std::string& key) const;
  std::optional<int64_t> maybe_int(const std::string& key) const;
  std::optional<double> maybe_float(const std::string& key) const;
  std::optional<std::string> maybe_string(const std::string& key) const;
  std::vector<std::string> get_string_array(const std::string& key) const;
  std::vector<double> get_number_array(const std::string& key) const;
  const TensorInfo* find_tensor(const std::string& name) const;
  const uint8_t* tensor_data(const TensorInfo& t) const { return bytes_->data() + t.offset; }

 private:
  std::shared_ptr<FileBytes> bytes_;
  uint32_t version_ = 0;
  uint64_t alignment_ = 32;
  std::map<std::string, Value> kv_;
  std::vector<TensorInfo> tensors_;
  std::map<std::string, size_t> tensor_index_;
};

}  // namespace qs::gguf
