// A small command-line parser: --name value, --name=value, short aliases, flags. Unknown
// options are errors that name the option.
#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

namespace qs::cli {

class Args {
 public:
  // value_options take a value; flags do not. aliases map short names ("-n") to long ones.
  Args(int argc, char** argv, int first, const std::set<std::string>& value_options, const std::set<std::string>& flags,
       const std::map<std::string, std::string>& aliases);
  bool has(const std::string& name) const { return values_.count(name) || flags_.count(name); }
  std::string get(const std::string& name, const std::string& def = "") const;
  std::vector<std::string> all(const std::string& name) const;
  int get_int(const std::string& name, int def) const;
  long long get_ll(const std::string& name, long long def) const;
  double get_double(const std::string& name, double def) const;
  // The same, refusing a given value outside [min, max] with a message naming the option and
  // its range (the default is not checked: it may be a sentinel such as -1 for "automatic").
  long long get_ll_in(const std::string& name, long long def, long long min, long long max) const;
  double get_double_in(const std::string& name, double def, double min, double max) const;
  bool flag(const std::string& name) const { return flags_.count(name) != 0; }
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::multimap<std::string, std::string> values_;
  std::set<std::string> flags_;
  std::vector<std::string> positional_;
};

}  // namespace qs::cli
