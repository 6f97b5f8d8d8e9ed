#include "tests/support/test_support.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <sys/wait.h>

#include "core/common/data_path.h"

namespace qs::test {
namespace fs = std::filesystem;

std::string asset(const std::string& relative) {
  std::string p = qs::data_file(relative);
  if (!fs::exists(p)) ADD_FAILURE() << "test asset missing: " << p << " (set QUANTISCOPE_DATA)";
  return p;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::string s = read_text(path);
  return std::vector<uint8_t>(s.begin(), s.end());
}

ScopedEnv::ScopedEnv(const char* name, const std::string& value) : name_(name) {
  if (const char* old = std::getenv(name)) old_ = old, had_ = true;
  ::setenv(name, value.c_str(), 1);
}

ScopedEnv::~ScopedEnv() {
  if (had_) ::setenv(name_, old_.c_str(), 1);
  else ::unsetenv(name_);
}

TempDir::TempDir() {
  std::random_device rd;
  for (int i = 0; i < 100; ++i) {
    fs::path p = fs::temp_directory_path() / ("qs-test-" + std::to_string(rd()));
    if (fs::create_directory(p)) {
      path_ = p.string();
      return;
    }
  }
  throw std::runtime_error("cannot create a temp folder");
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string TempDir::write(const std::string& name, const std::vector<uint8_t>& bytes) const {
  std::string p = file(name);
  std::ofstream out(p, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  return p;
}

std::string TempDir::write(const std::string& name, const std::string& text) const {
  return write(name, std::vector<uint8_t>(text.begin(), text.end()));
}

namespace {
std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}
}  // namespace

namespace {
CommandResult run_command(const std::string& prefix, const std::vector<std::string>& args, const std::string& stdin_text) {
  TempDir tmp;
  tmp.write("in", stdin_text);
  std::string cmd = prefix + quote(QS_CLI_PATH);
  for (const auto& a : args) cmd += " " + quote(a);
  cmd += " >" + quote(tmp.file("out")) + " 2>" + quote(tmp.file("err")) + " <" + quote(tmp.file("in"));
  int status = std::system(cmd.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_text(tmp.file("out"));
  r.err = read_text(tmp.file("err"));
  return r;
}
}  // namespace

CommandResult run_cli(const std::vector<std::string>& args, const std::string& stdin_text) { return run_command("", args, stdin_text); }

CommandResult run_cli_limited(const std::vector<std::string>& args, int seconds, long address_space_kib) {
  return run_command("ulimit -v " + std::to_string(address_space_kib) + "; exec timeout -s KILL " + std::to_string(seconds) + " ", args, "");
}

namespace {
template <typename T>
void put(std::vector<uint8_t>& b, T v) {
  uint8_t tmp[sizeof(T)];
  std::memcpy(tmp, &v, sizeof(T));
  b.insert(b.end(), tmp, tmp + sizeof(T));
}
void put_str(std::vector<uint8_t>& b, const std::string& s) {
  put<uint64_t>(b, s.size());
  b.insert(b.end(), s.begin(), s.end());
}
}  // namespace

GgufBuilder& GgufBuilder::kv_string(const std::string& key, const std::string& value) {
  put_str(kv_, key);
  put<uint32_t>(kv_, 8);
  put_str(kv_, value);
  ++n_kv_;
  return *this;
}
GgufBuilder& GgufBuilder::kv_u32(const std::string& key, uint32_t value) {
  put_str(kv_, key);
  put<uint32_t>(kv_, 4);
  put<uint32_t>(kv_, value);
  ++n_kv_;
  return *this;
}
GgufBuilder& GgufBuilder::kv_f32(const std::string& key, float value) {
  put_str(kv_, key);
  put<uint32_t>(kv_, 6);
  put<float>(kv_, value);
  ++n_kv_;
  return *this;
}
GgufBuilder& GgufBuilder::kv_string_array(const std::string& key, const std::vector<std::string>& values) {
  put_str(kv_, key);
  put<uint32_t>(kv_, 9);
  put<uint32_t>(kv_, 8);
  put<uint64_t>(kv_, values.size());
  for (const auto& v : values) put_str(kv_, v);
  ++n_kv_;
  return *this;
}
GgufBuilder& GgufBuilder::kv_f32_array(const std::string& key, const std::vector<float>& values) {
  put_str(kv_, key);
  put<uint32_t>(kv_, 9);
  put<uint32_t>(kv_, 6);
  put<uint64_t>(kv_, values.size());
  for (float v : values) put<float>(kv_, v);
  ++n_kv_;
  return *this;
}
GgufBuilder& GgufBuilder::kv_i32_array(const std::string& key, const std::vector<int32_t>& values) {
  put_str(kv_, key);
  put<uint32_t>(kv_, 9);
  put<uint32_t>(kv_, 5);
  put<uint64_t>(kv_, values.size());
  for (int32_t v : values) put<int32_t>(kv_, v);
  ++n_kv_;
  return *this;
}
GgufBuilder& GgufBuilder::tensor(const std::string& name, std::vector<uint64_t> dims, uint32_t type, std::vector<uint8_t> data) {
  tensors_.push_back({name, std::move(dims), type, std::move(data)});
  return *this;
}

std::vector<uint8_t> GgufBuilder::build() const {
  std::vector<uint8_t> b = {'G', 'G', 'U', 'F'};
  put<uint32_t>(b, version_);
  put<uint64_t>(b, force_tensor_count != UINT64_MAX ? force_tensor_count : tensors_.size());
  put<uint64_t>(b, force_kv_count != UINT64_MAX ? force_kv_count : n_kv_);
  b.insert(b.end(), kv_.begin(), kv_.end());
  uint64_t offset = 0;
  for (const auto& t : tensors_) {
    put_str(b, t.name);
    put<uint32_t>(b, uint32_t(t.dims.size()));
    for (auto d : t.dims) put<uint64_t>(b, d);
    put<uint32_t>(b, t.type);
    put<uint64_t>(b, offset);
    offset += (t.data.size() + 31) / 32 * 32;
  }
  while (b.size() % 32) b.push_back(0);
  for (const auto& t : tensors_) {
    b.insert(b.end(), t.data.begin(), t.data.end());
    while (b.size() % 32) b.push_back(0);
  }
  return b;
}

}  // namespace qs::test
