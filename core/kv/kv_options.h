// Options a cache is built with beyond its shape: `--kv-opt key=value,...` values that codecs
// read (and must all be used), and a lazy source of the calibrated channel reorder.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace qs {

struct ChannelReorder;

class KvOptions {
 public:
  // Parses "key=value,key=value"; throws naming a malformed item.
  static KvOptions parse(const std::string& text);
  void set(const std::string& key, const std::string& value) { values_[key] = value; }

  bool has(const std::string& key) const;
  std::string get(const std::string& key, const std::string& def) const;
  int64_t get_int(const std::string& key, int64_t def) const;
  double get_double(const std::string& key, double def) const;
  // Keys given but read by no codec so far; check_all_used throws naming the first.
  std::vector<std::string> unused() const;
  void check_all_used(const std::string& k_type, const std::string& v_type) const;

  // Supplies the reorder file on demand (the CLI computes the model hash only when a codec asks).
  std::function<std::shared_ptr<const ChannelReorder>()> reorder_source;

 private:
  std::map<std::string, std::string> values_;
  mutable std::set<std::string> used_;
};

}  // namespace qs
