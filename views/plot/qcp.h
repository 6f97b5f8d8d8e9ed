// QCustomPlot's header spells Qt's `signals`, `slots`, `emit` and `foreach` keywords, which
// QT_NO_KEYWORDS (needed beside LibTorch) switches off: define them for this header only.
#pragma once
#define signals Q_SIGNALS
#define slots Q_SLOTS
#define emit Q_EMIT
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef slots
#undef emit
#undef foreach
