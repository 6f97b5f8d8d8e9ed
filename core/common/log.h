// Minimal logging: a sink callback that the CLI points at stderr and the GUI at its log pane.
#pragma once
#include <functional>
#include <sstream>
#include <string>

namespace qs {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

using LogSink = std::function<void(LogLevel, const std::string&)>;

// Replaces the process-wide sink (thread-safe); returns the previous one.
LogSink set_log_sink(LogSink sink);
void log_message(LogLevel level, const std::string& message);
void set_log_level(LogLevel min_level);

#define QS_LOG(level, expr)                         \
  do {                                              \
    std::ostringstream qs_log_stream_;              \
    qs_log_stream_ << expr;                         \
    ::qs::log_message(level, qs_log_stream_.str()); \
  } while (0)
#define QS_INFO(expr) QS_LOG(::qs::LogLevel::kInfo, expr)
#define QS_WARN(expr) QS_LOG(::qs::LogLevel::kWarn, expr)
#define QS_DEBUG(expr) QS_LOG(::qs::LogLevel::kDebug, expr)

}  // namespace qs
