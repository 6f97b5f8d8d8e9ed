// Ctrl-C handling for the CLI: the first SIGINT cancels the running engine call through its
// CancelToken; a second one exits at once.
#pragma once
#include "core/common/cancel.h"

namespace qs::cli {
void install_interrupt(const CancelToken& token);
}
