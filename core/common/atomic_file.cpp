#include "core/common/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

#include "core/common/error.h"

namespace qs {
namespace {

namespace fs = std::filesystem;

// Temporaries a signal handler must remove: fixed slots of fixed-size paths (no allocation).
constexpr int kSlots = 64;
constexpr size_t kPathMax = 4096;
char g_pending[kSlots][kPathMax];
std::atomic<bool> g_used[kSlots];

int register_temp(const std::string& path) {
  if (path.size() >= kPathMax) return -1;
  for (int i = 0; i < kSlots; ++i) {
    bool expected = false;
    if (g_used[i].compare_exchange_strong(expected, true)) {
      std::memcpy(g_pending[i], path.c_str(), path.size() + 1);
      return i;
    }
  }
  return -1;
}

void unregister_temp(const std::string& path) {
  for (int i = 0; i < kSlots; ++i)
    if (g_used[i].load() && path == g_pending[i]) g_used[i].store(false);
}

// "dir/.name.qs-XXXXXX.ext.gz": hidden, in the target's folder (rename stays on one file system),
// ending in the target's extensions so libraries pick the same format.
std::string temp_name(const fs::path& target) {
  const std::string name = target.filename().string();
  const size_t dot = name.find('.', 1);
  const std::string ext = dot == std::string::npos ? "" : name.substr(dot);
  std::random_device rd;
  const std::string tag = std::to_string(uint32_t(rd()) ^ uint32_t(::getpid()));
  return (target.parent_path() / ("." + name + ".qs-" + tag + ext)).string();
}

}  // namespace

void check_writable_target(const std::string& target, bool overwrite, const std::vector<std::string>& siblings) {
  if (target.empty()) fail(ErrorKind::kInvalidArgument, "empty output path");
  std::vector<std::string> all = siblings;
  all.insert(all.begin(), target);
  for (const std::string& p : all) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) == 0) {
      if (!S_ISREG(st.st_mode)) fail_io("'" + p + "' exists and is not a regular file; Quantiscope writes only regular files");
      if (!overwrite) fail(ErrorKind::kInvalidArgument, "'" + p + "' exists; pass --force to replace it");
    }
  }
  const fs::path dir = fs::path(target).has_parent_path() ? fs::path(target).parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) fail_io("cannot write '" + target + "': the folder '" + dir.string() + "' does not exist");
  if (::access(dir.c_str(), W_OK) != 0) fail_io("cannot write '" + target + "': the folder '" + dir.string() + "' is not writable (" + std::strerror(errno) + ")");
}

AtomicFile::AtomicFile(const std::string& target, bool overwrite, const std::vector<std::string>& siblings) : target_(target) {
  check_writable_target(target, overwrite, siblings);
  temp_ = temp_name(fs::path(target));
  fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd_ < 0) fail_io("cannot write '" + target_ + "': " + std::strerror(errno));
  register_temp(temp_);
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!done_) ::unlink(temp_.c_str());
  unregister_temp(temp_);
}

void AtomicFile::write(const void* data, size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd_, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) fail_io("cannot write '" + target_ + "': " + std::strerror(w < 0 ? errno : ENOSPC));
    p += w, n -= size_t(w);
  }
}

void AtomicFile::write_at(uint64_t offset, const void* data, size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::pwrite(fd_, p, n, off_t(offset));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) fail_io("cannot write '" + target_ + "': " + std::strerror(w < 0 ? errno : ENOSPC));
    p += w, n -= size_t(w), offset += uint64_t(w);
  }
}

void AtomicFile::commit() {
  // Libraries that wrote temp_path() themselves: the descriptor sees their bytes after reopening.
  if (::fsync(fd_) != 0 || ::close(fd_) != 0) {
    fd_ = -1;
    fail_io("cannot write '" + target_ + "': " + std::strerror(errno));
  }
  fd_ = -1;
  const int sync_fd = ::open(temp_.c_str(), O_RDONLY | O_CLOEXEC);  // what another writer put there
  if (sync_fd >= 0) {
    const int r = ::fsync(sync_fd);
    const int e = errno;
    ::close(sync_fd);
    if (r != 0) fail_io("cannot write '" + target_ + "': " + std::strerror(e));
  }
  if (::rename(temp_.c_str(), target_.c_str()) != 0) fail_io("cannot write '" + target_ + "': " + std::strerror(errno));
  done_ = true;
}

void write_file_atomically(const std::string& target, const std::string& contents, bool overwrite) {
  AtomicFile f(target, overwrite);
  f.write(contents);
  f.commit();
}

void remove_pending_temporaries() noexcept {
  for (int i = 0; i < kSlots; ++i)
    if (g_used[i].load()) ::unlink(g_pending[i]);
}

void create_parent_folders(const std::string& target) {
  const std::filesystem::path parent = std::filesystem::path(target).parent_path();
  if (parent.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) fail_io("cannot create the folder '" + parent.string() + "' for '" + target + "': " + ec.message());
}

}  // namespace qs
