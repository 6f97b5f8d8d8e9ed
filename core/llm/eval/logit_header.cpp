#include "core/llm/eval/logit_header.h"

#include <cstring>

#include "core/common/error.h"
#include "core/common/file_bytes.h"

namespace qs {
LogitLayout parse_logit_header(const uint8_t* data, size_t size, const std::string& name) {
  ByteReader r(data, size, "logit reference '" + name + "'");
  char magic[8];
  r.read(magic, 8, "magic");
  if (std::memcmp(magic, kLogitMagic, 8) != 0) fail_format("'" + name + "' is not a Quantiscope logit reference (bad magic)");
  LogitLayout l;
  l.vocab = r.get<uint32_t>("vocab");
  l.ctx = r.get<uint32_t>("ctx");
  const uint64_t n = r.get<uint64_t>("window count");
  if (l.vocab <= 0 || l.ctx < 2) fail_format("'" + name + "': bad vocab or ctx");
  // A window must fit in the file: checked before any product that could wrap (hostile headers).
  const uint64_t body = size - LogitLayout::kHeaderBytes;
  if (uint64_t(l.ctx) > body / 4 || uint64_t(l.vocab) > body / 2 || uint64_t(l.ctx - 1) > body / (2 * uint64_t(l.vocab)))
    fail_format("'" + name + "': the header's vocab " + std::to_string(l.vocab) + " x ctx " + std::to_string(l.ctx) + " describes windows larger than the file (" +
                std::to_string(size) + " bytes)");
  l.window_bytes = uint64_t(l.ctx) * 4 + uint64_t(l.ctx - 1) * uint64_t(l.vocab) * 2;
  if (n == 0 || n > body / l.window_bytes)
    fail_format("'" + name + "': the header claims " + std::to_string(n) + " windows but the file holds " + std::to_string(body / l.window_bytes) + "; unfinished or truncated?");
  l.windows = int64_t(n);
  return l;
}

}  // namespace qs
