#include "core/llm/formats/safetensors.h"

#include <nlohmann/json.hpp>

#include "core/common/error.h"

namespace qs::safetensors {
namespace {

constexpr uint64_t kMaxHeader = 100ull << 20;  // the reference implementation's own limit

DType parse_dtype(const std::string& s, const std::string& tensor) {
  static const std::map<std::string, DType> table = {
      {"F32", DType::kF32}, {"F16", DType::kF16}, {"BF16", DType::kBF16}, {"F64", DType::kF64},
      {"I64", DType::kI64}, {"I32", DType::kI32}, {"I16", DType::kI16},  {"I8", DType::kI8},
      {"U8", DType::kU8},   {"BOOL", DType::kBool}};
  auto it = table.find(s);
  if (it == table.end()) fail(ErrorKind::kUnsupported, "safetensors: tensor '" + tensor + "' has unsupported dtype '" + s + "'");
  return it->second;
}

}  // namespace

const char* dtype_name(DType d) {
  switch (d) {
    case DType::kF32: return "F32";
    case DType::kF16: return "F16";
    case DType::kBF16: return "BF16";
    case DType::kF64: return "F64";
    case DType::kI64: return "I64";
    case DType::kI32: return "I32";
    case DType::kI16: return "I16";
    case DType::kI8: return "I8";
    case DType::kU8: return "U8";
    case DType::kBool: return "BOOL";
  }
  return "?";
}

size_t dtype_size(DType d) {
  switch (d) {
    case DType::kF64: case DType::kI64: return 8;
    case DType::kF32: case DType::kI32: return 4;
    case DType::kF16: case DType::kBF16: case DType::kI16: return 2;
    default: return 1;
  }
}

void parse_header(const std::string& json_text, uint64_t data_size, uint64_t data_start,
                  std::map<std::string, TensorInfo>* tensors, std::map<std::string, std::string>* metadata) {
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(json_text);
  } catch (const std::exception& e) {
    fail_format(std::string("safetensors: header is not valid JSON: ") + e.what());
  }
  if (!header.is_object()) fail_format("safetensors: header is not a JSON object");
  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& name = it.key();
    const auto& v = it.value();
    if (name == "__metadata__") {
      if (!v.is_object()) fail_format("safetensors: __metadata__ is not an object");
      for (auto m = v.begin(); m != v.end(); ++m)
        if (m.value().is_string()) (*metadata)[m.key()] = m.value().get<std::string>();
      continue;
    }
    if (!v.is_object() || !v.contains("dtype") || !v.contains("shape") || !v.contains("data_offsets") ||
        !v["dtype"].is_string() || !v["shape"].is_array() || !v["data_offsets"].is_array() || v["data_offsets"].size() != 2)
      fail_format("safetensors: entry '" + name + "' lacks dtype, shape or data_offsets");
    TensorInfo t;
    t.name = name;
    t.dtype = parse_dtype(v["dtype"].get<std::string>(), name);
    uint64_t n = 1;
    if (v["shape"].size() > 8) fail_format("safetensors: tensor '" + name + "' has too many dimensions");
    for (const auto& d : v["shape"]) {
      if (!d.is_number_unsigned()) fail_format("safetensors: tensor '" + name + "' has a non-integer or negative dimension");
      uint64_t dim = d.get<uint64_t>();
      if (dim > (uint64_t(1) << 40) || (dim && n > (uint64_t(1) << 50) / dim)) fail_format("safetensors: tensor '" + name + "' has an impossible shape");
      n *= dim;
      t.shape.push_back(int64_t(dim));
    }
    const auto& offs = v["data_offsets"];
    if (!offs[0].is_number_unsigned() || !offs[1].is_number_unsigned()) fail_format("safetensors: tensor '" + name + "' has bad data_offsets");
    uint64_t begin = offs[0].get<uint64_t>(), end = offs[1].get<uint64_t>();
    if (begin > end || end > data_size) fail_format("safetensors: tensor '" + name + "' data [" + std::to_string(begin) + ", " + std::to_string(end) + ") lies outside the " + std::to_string(data_size) + " data bytes; is the file truncated?");
    if (end - begin != n * dtype_size(t.dtype)) fail_format("safetensors: tensor '" + name + "' holds " + std::to_string(end - begin) + " bytes but its shape needs " + std::to_string(n * dtype_size(t.dtype)));
    t.offset = data_start + begin;
    t.n_bytes = end - begin;
    (*tensors)[name] = std::move(t);
  }
}

File File::open(const std::string& path) { return parse(FileBytes::open(path)); }

File File::parse(std::shared_ptr<FileBytes> bytes) {
  File f;
  f.bytes_ = bytes;
  ByteReader r(bytes->data(), bytes->size(), "safetensors '" + bytes->path() + "'");
  uint64_t n = r.get<uint64_t>("header length");
  if (n > kMaxHeader) fail_format("safetensors '" + bytes->path() + "': header length " + std::to_string(n) + " is implausible (limit 100 MiB)");
  if (n > r.remaining()) fail_format("safetensors '" + bytes->path() + "': header of " + std::to_string(n) + " bytes runs past the end of the file");
  std::string text(reinterpret_cast<const char*>(r.pointer()), n);
  parse_header(text, bytes->size() - 8 - n, 8 + n, &f.tensors_, &f.metadata_);
  return f;
}

const TensorInfo* File::find(const std::string& name) const {
  auto it = tensors_.find(name);
  return it == tensors_.end() ? nullptr : &it->second;
}

}  // namespace qs::safetensors
