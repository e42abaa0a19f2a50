"""`LogBuffer`: the logs pane's model, without Textual.

Lines arrive from the tail in batches. The buffer holds them until the view takes them, a
chunk at a time in time order (`take`), and says where each chunk goes (`place`): after
the lines shown, in among them (a host whose lines reached CloudWatch late), or nowhere
yet (chunks still waiting would push them straight out of the view, or a finished job's
end is already shown while its history fills from the head). It keeps the newest
`keep` events, the view's, for redraws.
"""

from __future__ import annotations

import bisect
import itertools
from collections import deque
from dataclasses import dataclass, field
from typing import Literal

from smtui.core.logevents import LogEvent, time_order

KEEP = 20_000
"""Events the view keeps; older ones stay in the history file."""
CHUNK = 1_000
"""Events taken at a time: the drain writes chunks until its slice of time is up, so a
slice overruns by one chunk at most."""
BACKLOG = 2 * KEEP
"""Events waiting to be written before the tail waits for the view: memory stays bounded,
and a backlog this deep lets the oldest chunks skip drawing lines the view would drop."""


@dataclass
class Placement:
    """Where a chunk goes in the view.

    - `append`: `events` go after the lines shown;
    - `late`: the last `displaced` events shown are replaced by `events` (they, merged
      with the late ones, in time order);
    - `none`: nothing to draw now."""

    kind: Literal["append", "late", "none"]
    events: list[LogEvent] = field(default_factory=list)
    displaced: list[LogEvent] = field(default_factory=list)


class LogBuffer:
    def __init__(self, keep: int = KEEP, chunk: int = CHUNK, backlog: int = BACKLOG) -> None:
        self.keep, self.chunk, self.backlog = keep, chunk, backlog
        self.recent: deque[LogEvent] = deque(maxlen=keep)
        """The newest events placed, in time order: what the view shows when not searching."""
        self.pending: list[LogEvent] = []
        self._mixed = False
        """Whether a batch in `pending` starts before the one ahead of it ends."""
        self._filled: deque[LogEvent] | None = None
        """While a finished job's history fills from its head (its end shown already): the
        newest events read so far, the view's once the fill is done."""

    def reset(self) -> None:
        self.recent.clear()
        self.pending.clear()
        self._mixed = False
        self._filled = None

    # --- arriving ----------------------------------------------------------------------
    def add(self, events: list[LogEvent]) -> None:
        """A batch from the tail (in time order within itself)."""
        if not events:
            return
        if self.pending and time_order(events[0]) < time_order(self.pending[-1]):
            self._mixed = True
        self.pending.extend(events)

    @property
    def backlogged(self) -> bool:
        """Whether the view is so far behind that the tail should wait for it."""
        return len(self.pending) >= self.backlog

    def take(self) -> list[LogEvent]:
        """The next chunk of pending events, oldest first."""
        pending = self.pending
        if self._mixed:  # each batch is in order; the batches together are not
            pending.sort(key=time_order)
            self._mixed = False
        events = pending[: self.chunk]
        del pending[: self.chunk]
        return events

    # --- placing -----------------------------------------------------------------------
    def place(self, events: list[LogEvent], *, searching: bool = False) -> Placement:
        """Put a taken chunk among the kept events, and say how the view shows it. While
        searching, the view shows matches only: the caller filters `append`'s events."""
        if not events:
            return Placement("none")
        if self._filled is not None:
            self._filled.extend(events)
            return Placement("none")
        recent = self.recent
        if recent and time_order(events[0]) < time_order(recent[-1]):
            at = bisect.bisect_right(recent, time_order(events[0]), key=time_order)
            displaced = list(itertools.islice(recent, at, None))
            merged = sorted([*displaced, *events], key=time_order)  # two sorted runs: linear
            for _ in displaced:
                recent.pop()
            recent.extend(merged)
            if searching:
                return Placement("append", events)
            return Placement("late", merged[-self.keep :], displaced)
        recent.extend(events)
        if not searching and len(self.pending) >= self.keep:
            return Placement("none")  # the chunks to come push these out of the view
        return Placement("append", events)

    # --- a finished job, opened at its end ---------------------------------------------
    def open_at_end(self, newest: list[LogEvent]) -> None:
        """Show a finished job's end (`newest`, in time order) while its history is read
        from the head: chunks from then on are kept aside until `filled`."""
        self.recent.clear()
        self.recent.extend(newest[-self.keep :])
        self._filled = deque(maxlen=self.keep)

    @property
    def filling(self) -> bool:
        return self._filled is not None

    def filled(self) -> bool:
        """The history is whole: its newest events become the view's. Whether the view
        must be drawn again."""
        if self._filled is None:
            return False
        self.recent, self._filled = self._filled, None
        return True
