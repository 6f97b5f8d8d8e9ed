#include "core/llm/formats/gguf.h"

#include <sstream>

#include "core/common/error.h"

namespace qs::gguf {
namespace {

constexpr uint64_t kMaxDims = 4;           // GGML_MAX_DIMS
constexpr uint32_t kMaxArrayDepth = 4;     // nesting guard against hostile recursion

size_t scalar_size(ValueType t) {
  switch (t) {
    case ValueType::kUint8: case ValueType::kInt8: case ValueType::kBool: return 1;
    case ValueType::kUint16: case ValueType::kInt16: return 2;
    case ValueType::kUint32: case ValueType::kInt32: case ValueType::kFloat32: return 4;
    case ValueType::kUint64: case ValueType::kInt64: case ValueType::kFloat64: return 8;
    case ValueType::kString: return 8;  // at least the length prefix
    case ValueType::kArray: return 12;  // at least type + count
  }
  return 0;
}

bool valid_type(uint32_t t) { return t <= static_cast<uint32_t>(ValueType::kFloat64); }

std::string read_string(ByteReader& r, const char* field) {
  uint64_t n = r.get<uint64_t>(field);
  if (n > r.remaining()) fail_format(std::string("GGUF: ") + field + " claims " + std::to_string(n) + " bytes but only " + std::to_string(r.remaining()) + " remain");
  std::string s(reinterpret_cast<const char*>(r.pointer()), n);
  r.skip(n, field);
  return s;
}

Value read_value(ByteReader& r, ValueType type, uint32_t depth) {
  Value v;
  v.type = type;
  switch (type) {
    case ValueType::kUint8: v.u = r.get<uint8_t>("u8 value"); break;
    case ValueType::kInt8: v.i = r.get<int8_t>("i8 value"); break;
    case ValueType::kUint16: v.u = r.get<uint16_t>("u16 value"); break;
    case ValueType::kInt16: v.i = r.get<int16_t>("i16 value"); break;
    case ValueType::kUint32: v.u = r.get<uint32_t>("u32 value"); break;
    case ValueType::kInt32: v.i = r.get<int32_t>("i32 value"); break;
    case ValueType::kUint64: v.u = r.get<uint64_t>("u64 value"); break;
    case ValueType::kInt64: v.i = r.get<int64_t>("i64 value"); break;
    case ValueType::kFloat32: v.f = r.get<float>("f32 value"); break;
    case ValueType::kFloat64: v.f = r.get<double>("f64 value"); break;
    case ValueType::kBool: {
      uint8_t b = r.get<uint8_t>("bool value");
      if (b > 1) fail_format("GGUF: bool value " + std::to_string(b) + " is neither 0 nor 1");
      v.i = b;
      break;
    }
    case ValueType::kString: v.s = read_string(r, "string value"); break;
    case ValueType::kArray: {
      if (depth >= kMaxArrayDepth) fail_format("GGUF: arrays nested too deeply");
      uint32_t et = r.get<uint32_t>("array element type");
      if (!valid_type(et)) fail_format("GGUF: unknown array element type " + std::to_string(et));
      v.element_type = static_cast<ValueType>(et);
      uint64_t n = r.get<uint64_t>("array length");
      // Every element needs at least scalar_size bytes: a lying count cannot make us reserve more.
      if (n > r.remaining() / scalar_size(v.element_type))
        fail_format("GGUF: array of " + std::to_string(n) + " elements cannot fit in the " + std::to_string(r.remaining()) + " bytes left");
      v.array.reserve(n);
      for (uint64_t k = 0; k < n; ++k) v.array.push_back(read_value(r, v.element_type, depth + 1));
      break;
    }
  }
  return v;
}

}  // namespace

const char* value_type_name(ValueType t) {
  static const char* names[] = {"u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "string", "array", "u64", "i64", "f64"};
  auto i = static_cast<uint32_t>(t);
  return i < 13 ? names[i] : "?";
}

bool Value::is_integer() const {
  switch (type) {
    case ValueType::kUint8: case ValueType::kInt8: case ValueType::kUint16: case ValueType::kInt16:
    case ValueType::kUint32: case ValueType::kInt32: case ValueType::kUint64: case ValueType::kInt64:
    case ValueType::kBool: return true;
    default: return false;
  }
}

double Value::as_double() const {
  if (is_float()) return f;
  if (is_integer()) return (type == ValueType::kUint8 || type == ValueType::kUint16 || type == ValueType::kUint32 || type == ValueType::kUint64) ? double(u) : double(i);
  fail_format(std::string("GGUF: expected a number, found ") + value_type_name(type));
}

int64_t Value::as_int() const {
  if (!is_integer()) fail_format(std::string("GGUF: expected an integer, found ") + value_type_name(type));
  if (type == ValueType::kUint8 || type == ValueType::kUint16 || type == ValueType::kUint32 || type == ValueType::kUint64) {
    if (u > uint64_t(INT64_MAX)) fail_format("GGUF: integer value too large");
    return int64_t(u);
  }
  return i;
}

std::string Value::to_display() const {
  std::ostringstream os;
  switch (type) {
    case ValueType::kString: return s.size() > 120 ? s.substr(0, 117) + "..." : s;
    case ValueType::kArray: {
      os << "[" << value_type_name(element_type) << " x " << array.size();
      for (size_t k = 0; k < array.size() && k < 3; ++k) os << (k ? ", " : ": ") << array[k].to_display();
      if (array.size() > 3) os << ", ...";
      os << "]";
      return os.str();
    }
    case ValueType::kBool: return i ? "true" : "false";
    default: break;
  }
  if (is_float()) os << f;
  else os << as_double();
  return os.str();
}

uint64_t TensorInfo::n_elements() const {
  uint64_t n = 1;
  for (uint64_t d : dims) n *= d;
  return n;
}

File File::open(const std::string& path) { return parse(FileBytes::open(path)); }

File File::parse(std::shared_ptr<FileBytes> bytes) {
  File f;
  f.bytes_ = bytes;
  ByteReader r(bytes->data(), bytes->size(), "GGUF '" + bytes->path() + "'");
  if (bytes->size() < 24) fail_format("GGUF '" + bytes->path() + "': file too short (" + std::to_string(bytes->size()) + " bytes) to hold a header");
  char magic[4];
  r.read(magic, 4, "magic");
  if (std::string(magic, 4) != "GGUF") fail_format("'" + bytes->path() + "' is not a GGUF file (bad magic)");
  f.version_ = r.get<uint32_t>("version");
  if (f.version_ != 2 && f.version_ != 3) fail(ErrorKind::kUnsupported, "GGUF version " + std::to_string(f.version_) + " is not supported (2 and 3 are)");
  uint64_t n_tensors = r.get<uint64_t>("tensor count");
  uint64_t n_kv = r.get<uint64_t>("metadata count");
  // A key is at least 8 + 4 + 1 bytes; a tensor record at least 8 + 4 + 8 + 4 + 8.
  if (n_kv > r.remaining() / 13) fail_format("GGUF: metadata count " + std::to_string(n_kv) + " cannot fit in the file");
  if (n_tensors > r.remaining() / 32) fail_format("GGUF: tensor count " + std::to_string(n_tensors) + " cannot fit in the file");

  for (uint64_t k = 0; k < n_kv; ++k) {
    std::string key = read_string(r, "metadata key");
    uint32_t t = r.get<uint32_t>("metadata type");
    if (!valid_type(t)) fail_format("GGUF: key '" + key + "' has unknown type " + std::to_string(t));
    Value v = read_value(r, static_cast<ValueType>(t), 0);
    if (f.kv_.count(key)) fail_format("GGUF: duplicate key '" + key + "'");
    f.kv_.emplace(std::move(key), std::move(v));
  }
  if (const Value* a = f.find("general.alignment")) {
    int64_t al = a->as_int();
    if (al <= 0 || (al & (al - 1)) != 0 || al > (1 << 20)) fail_format("GGUF: general.alignment " + std::to_string(al) + " is not a power of two");
    f.alignment_ = uint64_t(al);
  }

  std::vector<uint64_t> rel_offsets;
  for (uint64_t k = 0; k < n_tensors; ++k) {
    TensorInfo t;
    t.name = read_string(r, "tensor name");
    uint32_t nd = r.get<uint32_t>("tensor n_dims");
    if (nd == 0 || nd > kMaxDims) fail_format("GGUF: tensor '" + t.name + "' has " + std::to_string(nd) + " dimensions (1-4 allowed)");
    uint64_t n = 1;
    for (uint32_t d = 0; d < nd; ++d) {
      uint64_t dim = r.get<uint64_t>("tensor dimension");
      if (dim == 0 || dim > (uint64_t(1) << 40) || n > (uint64_t(1) << 50) / dim)
        fail_format("GGUF: tensor '" + t.name + "' has an impossible shape");
      n *= dim;
      t.dims.push_back(dim);
    }
    uint32_t raw_type = r.get<uint32_t>("tensor type");
    ggml::TypeTraits tr = ggml::traits(raw_type);
    if (!tr.block_elements) fail_format("GGUF: tensor '" + t.name + "' has unknown type id " + std::to_string(raw_type));
    t.type = static_cast<ggml::Type>(raw_type);
    if (t.dims[0] % tr.block_elements != 0) fail_format("GGUF: tensor '" + t.name + "' row of " + std::to_string(t.dims[0]) + " is not a multiple of the " + tr.name + " block");
    t.n_bytes = n / tr.block_elements * tr.block_bytes;
    uint64_t off = r.get<uint64_t>("tensor offset");
    if (off % f.alignment_ != 0) fail_format("GGUF: tensor '" + t.name + "' offset is not aligned");
    rel_offsets.push_back(off);
    if (f.tensor_index_.count(t.name)) fail_format("GGUF: duplicate tensor '" + t.name + "'");
    f.tensor_index_[t.name] = f.tensors_.size();
    f.tensors_.push_back(std::move(t));
  }
  uint64_t data_start = (r.offset() + f.alignment_ - 1) / f.alignment_ * f.alignment_;
  if (n_tensors > 0 && data_start > bytes->size()) fail_format("GGUF: tensor data would start past the end of the file");
  for (size_t k = 0; k < f.tensors_.size(); ++k) {
    TensorInfo& t = f.tensors_[k];
    uint64_t avail = bytes->size() - data_start;
    if (rel_offsets[k] > avail || t.n_bytes > avail - rel_offsets[k])
      fail_format("GGUF: tensor '" + t.name + "' (" + std::to_string(t.n_bytes) + " bytes at offset " + std::to_string(rel_offsets[k]) + ") runs past the end of the file; is it truncated?");
    t.offset = data_start + rel_offsets[k];
  }
  return f;
}

const Value* File::find(const std::string& key) const {
  auto it = kv_.find(key);
  return it == kv_.end() ? nullptr : &it->second;
}

std::string File::get_string(const std::string& key) const {
  const Value* v = find(key);
  if (!v) fail_format("GGUF: missing key '" + key + "'");
  if (v->type != ValueType::kString) fail_format("GGUF: key '" + key + "' is " + value_type_name(v->type) + ", expected string");
  return v->s;
}

int64_t File::get_int(const std::string& key) const {
  const Value* v = find(key);
  if (!v) fail_format("GGUF: missing key '" + key + "'");
  return v->as_int();
}

double File::get_float(const std::string& key) const {
  const Value* v = find(key);
  if (!v) fail_format("GGUF: missing key '" + key + "'");
  return v->as_double();
}

std::optional<int64_t> File::maybe_int(const std::string& key) const {
  const Value* v = find(key);
  if (!v) return std::nullopt;
  return v->as_int();
}

std::optional<double> File::maybe_float(const std::string& key) const {
  const Value* v = find(key);
  if (!v) return std::nullopt;
  return v->as_double();
}

std::optional<std::string> File::maybe_string(const std::string& key) const {
  if (!find(key)) return std::nullopt;
  return get_string(key);
}

std::vector<std::string> File::get_string_array(const std::string& key) const {
  const Value* v = find(key);
  if (!v) fail_format("GGUF: missing key '" + key + "'");
  if (v->type != ValueType::kArray || v->element_type != ValueType::kString) fail_format("GGUF: key '" + key + "' is not an array of strings");
  std::vector<std::string> out;
  out.reserve(v->array.size());
  for (const auto& e : v->array) out.push_back(e.s);
  return out;
}

std::vector<double> File::get_number_array(const std::string& key) const {
  const Value* v = find(key);
  if (!v) fail_format("GGUF: missing key '" + key + "'");
  if (v->type != ValueType::kArray) fail_format("GGUF: key '" + key + "' is not an array");
  std::vector<double> out;
  out.reserve(v->array.size());
  for (const auto& e : v->array) out.push_back(e.as_double());
  return out;
}

const TensorInfo* File::find_tensor(const std::string& name) const {
  auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

}  // namespace qs::gguf
