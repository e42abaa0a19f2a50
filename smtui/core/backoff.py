"""How long to wait after failures in a row: one policy for every retry loop smtui runs
itself (the job list's refreshes, the log tail, a tail's describe). Calls to AWS are
retried first by botocore's own adaptive retries; this is the wait after those give up.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """Doubling from `first` up to `ceiling`, with jitter: each wait is drawn from its
    upper half, so clients that failed together do not all come back together."""

    first: float = 1.0
    ceiling: float = 30.0

    def wait(self, failures: int, draw: Callable[[float, float], float] = random.uniform) -> float:
        """Seconds to wait after `failures` failures in a row (1 for the first)."""
        top = min(self.ceiling, self.first * 2.0 ** min(max(failures - 1, 0), 30))
        return draw(top / 2, top)


def retrying(problem: object, wait: float) -> str:
    """`throttled; retrying in 2.5 s`: what a retry loop tells the user."""
    seconds = f"{wait:.1f} s" if wait < 10 else f"{wait:.0f} s"
    return f"{problem}; retrying in {seconds}"
