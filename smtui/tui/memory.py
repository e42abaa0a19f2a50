"""How the TUI's process uses Python's garbage collector.

A log flood makes millions of short-lived tuples (one `LogEvent` a line), and CPython
collects its youngest generation every 700 of them; every few hundred thousand it also
walks every object the process holds, the app's widgets, styles and modules among them.
Measured in `bench/tui_logs.py`: a walk every quarter second, each 40–50 ms, a fifth of
a million lines' time and the worst key press during it.

Once the app is up, its objects are long-lived: `settle` moves them out of the
collector's sight (`gc.freeze`), and collects the young generation less often. Garbage is
still collected; the walks just cover what the app makes after start-up.
"""

from __future__ import annotations

import gc

YOUNG = 10_000
"""Allocations between collections of the youngest generation (CPython's default: 700)."""
_settled = False


def settle() -> None:
    """Once per process, after the first frame."""
    global _settled
    if _settled:
        return
    _settled = True
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG, middle, old)
