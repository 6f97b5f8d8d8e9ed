#include "core/common/log.h"

#include <atomic>
#include <iostream>
#include <mutex>

namespace qs {
namespace {
std::mutex& sink_mutex() {
  static std::mutex m;
  return m;
}
LogSink& sink() {
  static LogSink s = [](LogLevel level, const std::string& msg) {
    static const char* names[] = {"debug", "info", "warn", "error"};
    std::cerr << "[" << names[static_cast<int>(level)] << "] " << msg << "\n";
  };
  return s;
}
std::atomic<int> g_min_level{static_cast<int>(LogLevel::kInfo)};
}  // namespace

LogSink set_log_sink(LogSink s) {
  std::lock_guard<std::mutex> lock(sink_mutex());
  LogSink old = std::move(sink());
  sink() = std::move(s);
  return old;
}

void set_log_level(LogLevel min_level) { g_min_level = static_cast<int>(min_level); }

void log_message(LogLevel level, const std::string& message) {
  if (static_cast<int>(level) < g_min_level.load()) return;
  std::lock_guard<std::mutex> lock(sink_mutex());
  if (sink()) sink()(level, message);
}

}  // namespace qs
