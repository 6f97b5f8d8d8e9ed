#include "app/cli/args.h"

#include <cstdio>

#include <cerrno>
#include <cstdlib>

#include "core/common/error.h"

namespace qs::cli {

Args::Args(int argc, char** argv, int first, const std::set<std::string>& value_options, const std::set<std::string>& flags,
           const std::map<std::string, std::string>& aliases) {
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a.size() < 2 || a[0] != '-' || (a.size() > 1 && (std::isdigit(static_cast<unsigned char>(a[1])) || a[1] == '.'))) {
      positional_.push_back(a);
      continue;
    }
    std::string value;
    bool has_value = false;
    if (auto eq = a.find('='); eq != std::string::npos && a.rfind("--", 0) == 0) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
      has_value = true;
    }
    if (auto it = aliases.find(a); it != aliases.end()) a = it->second;
    if (flags.count(a)) {
      if (has_value) fail(ErrorKind::kInvalidArgument, "option " + a + " takes no value");
      flags_.insert(a);
    } else if (value_options.count(a)) {
      if (!has_value) {
        if (i + 1 >= argc) fail(ErrorKind::kInvalidArgument, "option " + a + " needs a value");
        value = argv[++i];
      }
      values_.emplace(a, value);
    } else {
      fail(ErrorKind::kInvalidArgument, "unknown option '" + a + "' (see --help)");
    }
  }
}

std::string Args::get(const std::string& name, const std::string& def) const {
  auto range = values_.equal_range(name);
  if (range.first == range.second) return def;
  return std::prev(range.second)->second;  // the last one wins
}

std::vector<std::string> Args::all(const std::string& name) const {
  std::vector<std::string> out;
  auto range = values_.equal_range(name);
  for (auto it = range.first; it != range.second; ++it) out.push_back(it->second);
  return out;
}

long long Args::get_ll(const std::string& name, long long def) const {
  if (!values_.count(name)) return def;
  std::string s = get(name);
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end || errno) fail(ErrorKind::kInvalidArgument, "option " + name + " expects an integer, got '" + s + "'");
  return v;
}

int Args::get_int(const std::string& name, int def) const {
  long long v = get_ll(name, def);
  if (v < -2147483647LL || v > 2147483647LL) fail(ErrorKind::kInvalidArgument, "option " + name + " is out of range");
  return int(v);
}

double Args::get_double(const std::string& name, double def) const {
  if (!values_.count(name)) return def;
  std::string s = get(name);
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end || errno) fail(ErrorKind::kInvalidArgument, "option " + name + " expects a number, got '" + s + "'");
  return v;
}

}  // namespace qs::cli

namespace qs::cli {

long long Args::get_ll_in(const std::string& name, long long def, long long min, long long max) const {
  const long long v = get_ll(name, def);
  if (values_.count(name) && (v < min || v > max))
    fail(ErrorKind::kInvalidArgument, "option " + name + " must be in " + std::to_string(min) + ".." + std::to_string(max) + ", not " + std::to_string(v));
  return v;
}

double Args::get_double_in(const std::string& name, double def, double min, double max) const {
  const double v = get_double(name, def);
  if (values_.count(name) && !(v >= min && v <= max)) {
    char buf[160];
    std::snprintf(buf, sizeof buf, " must be in %g..%g, not %g", min, max, v);
    fail(ErrorKind::kInvalidArgument, "option " + name + buf);
  }
  return v;
}

}  // namespace qs::cli
