#include "core/common/error.h"

namespace qs {

int exit_code_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidArgument: return 2;
    case ErrorKind::kIo: return 3;
    case ErrorKind::kFormat: return 4;
    case ErrorKind::kUnsupported: return 5;
    case ErrorKind::kCancelled: return 130;
    case ErrorKind::kInternal: return 1;
  }
  return 1;
}

}  // namespace qs
