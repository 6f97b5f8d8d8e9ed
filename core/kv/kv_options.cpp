#include "core/kv/kv_options.h"

#include <cstdlib>

#include "core/common/error.h"

namespace qs {

KvOptions KvOptions::parse(const std::string& text) {
  KvOptions o;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(',', pos);
    if (end == std::string::npos) end = text.size();
    const std::string item = text.substr(pos, end - pos);
    const size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size())
      fail(ErrorKind::kInvalidArgument, "--kv-opt: '" + item + "' is not key=value");
    o.values_[item.substr(0, eq)] = item.substr(eq + 1);
    pos = end + 1;
  }
  return o;
}

bool KvOptions::has(const std::string& key) const {
  used_.insert(key);
  return values_.count(key) != 0;
}

std::string KvOptions::get(const std::string& key, const std::string& def) const {
  used_.insert(key);
  auto it = values_.find(key);
  return it == values_.end() ? def : it->second;
}

int64_t KvOptions::get_int(const std::string& key, int64_t def) const {
  const std::string v = get(key, "");
  if (v.empty()) return def;
  char* end = nullptr;
  const long long n = std::strtoll(v.c_str(), &end, 10);
  if (*end) fail(ErrorKind::kInvalidArgument, "--kv-opt " + key + "=" + v + ": an integer is expected");
  return n;
}

double KvOptions::get_double(const std::string& key, double def) const {
  const std::string v = get(key, "");
  if (v.empty()) return def;
  char* end = nullptr;
  const double d = std::strtod(v.c_str(), &end);
  if (*end) fail(ErrorKind::kInvalidArgument, "--kv-opt " + key + "=" + v + ": a number is expected");
  return d;
}

std::vector<std::string> KvOptions::unused() const {
  std::vector<std::string> out;
  for (const auto& kv : values_)
    if (!used_.count(kv.first)) out.push_back(kv.first);
  return out;
}

void KvOptions::check_all_used(const std::string& k_type, const std::string& v_type) const {
  const auto left = unused();
  if (!left.empty()) fail(ErrorKind::kInvalidArgument, "--kv-opt " + left.front() + " is not an option of cache types " + k_type + "/" + v_type);
}

}  // namespace qs
