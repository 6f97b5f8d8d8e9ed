#include "app/cli/signals.h"

#include <csignal>
#include <cstdlib>
#include <unistd.h>

namespace qs::cli {
namespace {
CancelToken* g_token = nullptr;
volatile std::sig_atomic_t g_hits = 0;
void on_sigint(int) {
  if (++g_hits > 1) _exit(130);
  if (g_token) g_token->cancel();  // an atomic store: async-signal-safe
}
}  // namespace

void install_interrupt(const CancelToken& token) {
  static CancelToken held;
  held = token;
  g_token = &held;
  g_hits = 0;
  std::signal(SIGINT, on_sigint);
}

}  // namespace qs::cli
