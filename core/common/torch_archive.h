// LibTorch archives (checkpoints, weight files) through the project's writing path: written whole
// or not at all (AtomicFile: the previous file stays until the new one is complete), and read
// with a refusal that names the file instead of LibTorch's exception. Header-only: each library
// that includes it links LibTorch itself.
#pragma once
#include <torch/serialize.h>

#include <sstream>
#include <string>

#include "core/common/atomic_file.h"
#include "core/common/error.h"

namespace qs {

inline void save_archive_atomically(torch::serialize::OutputArchive& archive, const std::string& path) {
  std::ostringstream bytes;
  archive.save_to(bytes);
  const std::string b = bytes.str();
  AtomicFile f(path, true);
  f.write(b.data(), b.size());
  f.commit();
}

// The part of a LibTorch exception worth showing a user (no backtrace, bounded).
inline std::string torch_reason(const c10::Error& e) { return std::string(e.what_without_backtrace()).substr(0, 200); }

// Error(kFormat) "'path' is not a WHAT: reason" when LibTorch cannot read the file.
// device: where the archive's tensors land (a file written on the GPU machine holds CUDA tensors;
// nullopt keeps the devices it was saved with).
inline void load_archive(torch::serialize::InputArchive& archive, const std::string& path, const std::string& what,
                         c10::optional<c10::Device> device = c10::nullopt) {
  try {
    archive.load_from(path, device);
  } catch (const c10::Error& e) {
    fail_format("'" + path + "' is not a " + what + ": " + torch_reason(e));
  } catch (const std::exception& e) {  // TorchScript's parser reports a damaged archive with its own types
    fail_format("'" + path + "' is not a " + what + ": " + std::string(e.what()).substr(0, 200));
  }
}

}  // namespace qs
