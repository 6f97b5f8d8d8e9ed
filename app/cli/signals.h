// Ctrl-C handling for the CLI: the first SIGINT cancels the running engine call through its
// CancelToken; a second one, or one while no call can be cancelled, exits at once with 130 and
// removes the temporaries of outputs being written (core/common/atomic_file.h); SIGTERM too.
#pragma once
#include "core/common/cancel.h"

namespace qs::cli {
void install_default_interrupt();  // at start: no cancellable call yet
void install_interrupt(const CancelToken& token);
}
