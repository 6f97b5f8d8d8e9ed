// The one way files are written: into a temporary file in the target's folder, every write and
// the close checked, fsync, and a rename over the target only when all of that succeeded. A full
// disk, an error, an exception or Ctrl-C therefore leaves the old file (or none) and no partial
// output; the temporary is removed.
//
// The target must be a regular file or absent (a device such as /dev/full, a FIFO or a folder is
// refused: a rename would replace it), its folder must exist and be writable, and an existing
// target (or a sibling the format writes with it, such as BART's .hdr beside .cfl) is replaced
// only when `overwrite` says so.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace qs {

class AtomicFile {
 public:
  // siblings: other files the same output consists of, checked for `overwrite` like the target.
  AtomicFile(const std::string& target, bool overwrite, const std::vector<std::string>& siblings = {});
  ~AtomicFile();  // without commit(): the temporary is removed, the target untouched
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  // A path in the same folder with the target's extensions, for libraries that write files
  // themselves (ITK, HDF5) and decide the format by the name. Exists (empty) until commit.
  const std::string& temp_path() const { return temp_; }
  const std::string& target() const { return target_; }
  // Appends bytes; Error(kIo) naming the target when they cannot all be written (disk full).
  void write(const void* data, size_t n);
  void write(const std::string& s) { write(s.data(), s.size()); }
  // Rewrites bytes already written (a count in a header, known only at the end).
  void write_at(uint64_t offset, const void* data, size_t n);
  // fsync, close (both checked), rename over the target. Error(kIo) leaves the target as it was.
  void commit();

 private:
  std::string target_, temp_;
  int fd_ = -1;
  bool done_ = false;
};

// Checks that `target` may be written (the rules above) without writing anything.
void check_writable_target(const std::string& target, bool overwrite, const std::vector<std::string>& siblings = {});

// A whole small file (CSV, Markdown, text) written atomically.
void write_file_atomically(const std::string& target, const std::string& contents, bool overwrite);

// Removes the temporaries of every AtomicFile not yet committed or destroyed: called on a signal
// that ends the process (async-signal-safe: unlink over a fixed table).
void remove_pending_temporaries() noexcept;

// Creates the folders above `target` that do not exist yet; Error(kIo) naming the folder and the
// reason when one cannot be made (a read-only place, a file in the way).
void create_parent_folders(const std::string& target);

}  // namespace qs
