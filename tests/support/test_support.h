// Shared helpers for the tests: where the real assets are, temporary folders, running the CLI,
// and a builder for handcrafted GGUF files (each test adds one deliberate defect).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace qs::test {

// Path of a real asset under QUANTISCOPE_DATA; fails the test (not skips) when it is missing.
std::string asset(const std::string& relative);
std::string read_text(const std::string& path);
std::vector<uint8_t> read_bytes(const std::string& path);

// A fresh folder under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  std::string write(const std::string& name, const std::vector<uint8_t>& bytes) const;
  std::string write(const std::string& name, const std::string& text) const;

 private:
  std::string path_;
};

// Sets an environment variable for one scope and restores what it was (or unsets it) after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value);
  ~ScopedEnv();
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::string old_;
  bool had_ = false;
};

struct CommandResult {
  int exit_code = -1;
  std::string out, err;
};
// Runs the built `quantiscope` with the arguments (shell-quoted here), feeding stdin_text.
CommandResult run_cli(const std::vector<std::string>& args, const std::string& stdin_text = "");
// The same under `timeout -s KILL seconds` and an address-space limit (KiB): hostile inputs must
// end in a clean exit code, never a hang (exit 137) or an allocation spree.
CommandResult run_cli_limited(const std::vector<std::string>& args, int seconds, long address_space_kib = 4000000);

// Little-endian GGUF writer for tests.
class GgufBuilder {
 public:
  explicit GgufBuilder(uint32_t version = 3) : version_(version) {}
  GgufBuilder& kv_string(const std::string& key, const std::string& value);
  GgufBuilder& kv_u32(const std::string& key, uint32_t value);
  GgufBuilder& kv_f32(const std::string& key, float value);
  GgufBuilder& kv_string_array(const std::string& key, const std::vector<std::string>& values);
  GgufBuilder& kv_f32_array(const std::string& key, const std::vector<float>& values);
  GgufBuilder& kv_i32_array(const std::string& key, const std::vector<int32_t>& values);
  // A tensor with ggml dims (dims[0] fastest) and raw data bytes.
  GgufBuilder& tensor(const std::string& name, std::vector<uint64_t> dims, uint32_t type, std::vector<uint8_t> data);
  std::vector<uint8_t> build() const;
  // Overrides for hostile files.
  uint64_t force_tensor_count = UINT64_MAX, force_kv_count = UINT64_MAX;

 private:
  struct Tensor {
    std::string name;
    std::vector<uint64_t> dims;
    uint32_t type;
    std::vector<uint8_t> data;
  };
  uint32_t version_;
  uint64_t n_kv_ = 0;
  std::vector<uint8_t> kv_;
  std::vector<Tensor> tensors_;
};

}  // namespace qs::test
