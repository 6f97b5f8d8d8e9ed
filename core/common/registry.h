// A name -> factory table. Each kind of method has one registry, reached through a non-inline
// accessor in its core library (so there is exactly one instance per process). Plugins add
// themselves from a static initialiser in their own shared library; the CLI and GUI list what it
// holds (no switch over method names).
#pragma once
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/common/error.h"

namespace qs {

template <typename Factory>
class Registry {
 public:
  struct Entry {
    std::string name;
    std::string description;
    Factory factory;
  };

  void add(const std::string& name, const std::string& description, Factory factory) {
    std::lock_guard<std::mutex> lock(mutex_);
    entries_[name] = Entry{name, description, std::move(factory)};
  }

  bool contains(const std::string& name) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return entries_.count(name) != 0;
  }

  const Entry& get(const std::string& name) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(name);
    if (it == entries_.end()) {
      std::string known;
      for (const auto& kv : entries_) known += (known.empty() ? "" : ", ") + kv.first;
      fail(ErrorKind::kInvalidArgument, "unknown name '" + name + "' (registered: " + known + ")");
    }
    return it->second;
  }

  std::vector<std::string> names() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string> out;
    for (const auto& kv : entries_) out.push_back(kv.first);
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

}  // namespace qs
