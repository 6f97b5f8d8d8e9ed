#include "app/cli/signals.h"

#include "core/common/atomic_file.h"

#include <csignal>
#include <cstdlib>
#include <unistd.h>

namespace qs::cli {
namespace {
CancelToken* g_token = nullptr;
volatile std::sig_atomic_t g_hits = 0;
void on_sigint(int) {
  // A second Ctrl-C, or one during a command that cannot be cancelled, ends the process now:
  // outputs still being written are temporaries, and they go with it.
  if (++g_hits > 1 || !g_token) {
    remove_pending_temporaries();
    _exit(130);
  }
  g_token->cancel();  // an atomic store: async-signal-safe
}
void on_sigterm(int) {
  remove_pending_temporaries();
  _exit(143);
}
}  // namespace

void install_default_interrupt() {
  g_token = nullptr;
  g_hits = 0;
  std::signal(SIGINT, on_sigint);
  std::signal(SIGTERM, on_sigterm);
}

void install_interrupt(const CancelToken& token) {
  static CancelToken held;
  held = token;
  g_token = &held;
  g_hits = 0;
  std::signal(SIGINT, on_sigint);
}

}  // namespace qs::cli
