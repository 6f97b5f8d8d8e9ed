// Errors every engine throws: one exception type carrying a category, so the CLI can
// map it to an exit code and the GUI to a dialog that says what to do.
#pragma once
#include <stdexcept>
#include <string>

namespace qs {

enum class ErrorKind {
  kInvalidArgument,  // bad option or shape handed in by the caller
  kIo,               // missing or unreadable file
  kFormat,           // file exists but its content is malformed or lies
  kUnsupported,      // valid but not handled (tensor type, architecture...)
  kCancelled,        // the user asked to stop
  kInternal,
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

[[noreturn]] inline void fail(ErrorKind kind, const std::string& message) { throw Error(kind, message); }
[[noreturn]] inline void fail_format(const std::string& message) { throw Error(ErrorKind::kFormat, message); }
[[noreturn]] inline void fail_io(const std::string& message) { throw Error(ErrorKind::kIo, message); }

// The first line of an exception message: LibTorch appends a C++ backtrace that users should
// not see in a dialog or a terminal.
inline std::string first_line(const std::string& message) { return message.substr(0, message.find('\n')); }

// Exit codes used by the CLI, one per kind (0 is success, 1 generic failure).
int exit_code_for(ErrorKind kind);

}  // namespace qs
