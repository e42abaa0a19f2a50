"""Training metrics read from log lines, the way SageMaker reads them: each metric
definition's regex is searched in every line and its first group is the value.

The regexes come from DescribeTrainingJob, so anyone who can submit a job in the account
wrote them, and the lines come from the job's script. A pattern like `(a+)+$` backtracks
exponentially on a line of `a`s: Python's `re` cannot be interrupted, and it froze the TUI
for 50 s on one line. So patterns run under the `regex` package, whose searches take a
`timeout`: each search gets `LINE_BUDGET` seconds, and a pattern that blows it (or spends
more than `FEED_BUDGET` on one batch of lines) is switched off with a notice, so one bad
definition costs at most a fraction of a second, once.
"""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import regex

BLOCKS = "▁▂▃▄▅▆▇█"
POINTS = 120
"""Values kept per metric: the newest, enough for a sparkline across a wide terminal."""
LINE_BUDGET = 0.05
"""Seconds one metric regex may spend on one log line before it is switched off."""
FEED_BUDGET = 0.5
"""Seconds one metric regex may spend on one batch of lines (`MetricTracker.feed`)."""


@dataclass
class MetricSeries:
    """One metric's values, host by host: on a multi-node run each host logs its own, and
    one line of them interleaved would zig-zag between hosts instead of showing a trend."""

    name: str
    pattern: regex.Pattern[str]
    hosts: dict[str, deque[float]] = field(default_factory=dict)
    disabled: str | None = None
    """Why the metric was switched off (its regex ran over its time budget), or None."""

    def add(self, host: str, value: float) -> None:
        values = self.hosts.get(host)
        if values is None:
            values = self.hosts[host] = deque(maxlen=POINTS)
        values.append(value)

    @property
    def leader(self) -> str | None:
        """The lowest-numbered host that reported (algo-1: rank 0 on most multi-node runs)."""
        return min(self.hosts, key=host_order) if self.hosts else None

    @property
    def values(self) -> deque[float]:
        """The leader's values, oldest first."""
        leader = self.leader
        return self.hosts[leader] if leader is not None else deque()

    @property
    def last(self) -> float | None:
        values = self.values
        return values[-1] if values else None

    @property
    def spread(self) -> tuple[float, float] | None:
        """The lowest and highest of each host's last value, when more than one reports."""
        if len(self.hosts) < 2:
            return None
        lasts = [values[-1] for values in self.hosts.values()]
        return min(lasts), max(lasts)


def host_order(host: str) -> tuple[str | int, ...]:
    """`algo-2` before `algo-10`."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", host))


def sparkline(values: Iterable[float], width: int) -> str:
    """The newest `width` values as block characters, lowest to highest."""
    points = list(values)[-width:]
    if not points:
        return ""
    low, high = min(points), max(points)
    span = (high - low) or 1.0
    return "".join(BLOCKS[int((v - low) / span * (len(BLOCKS) - 1))] for v in points)


class MetricTracker:
    """Every metric of one job, fed its log lines as they arrive."""

    def __init__(self, definitions: list[dict[str, Any]]) -> None:
        self.series: list[MetricSeries] = []
        self.problems: list[str] = []
        """What is wrong with the definitions, found when they were read."""
        self._notices: list[str] = []
        if not definitions:
            return
        import regex  # here: 15 ms of start-up that the first frame, with no job, doesn't need

        for item in definitions:
            name, text = str(item.get("Name", "")), str(item.get("Regex", ""))
            try:
                pattern = regex.compile(text)
            except (regex.error, ValueError, OverflowError, RecursionError) as exc:
                self.problems.append(f"metric {name}: its regex does not compile: {exc}")
                continue
            if pattern.groups < 1:
                self.problems.append(f"metric {name}: its regex has no group for the value")
                continue
            self.series.append(MetricSeries(name, pattern))

    def feed(self, lines: Iterable[tuple[str, str]]) -> bool:
        """Read values from (host, message) lines; True when any metric got a new one.

        A metric whose regex runs over its budget is switched off (`MetricSeries.disabled`)
        and a notice is queued for `take_notices`."""
        live = [s for s in self.series if s.disabled is None]
        if not live:
            return False
        found = False
        spent = dict.fromkeys(map(id, live), 0.0)
        for host, message in lines:
            for series in live:
                if series.disabled is not None:
                    continue
                budget = min(LINE_BUDGET, FEED_BUDGET - spent[id(series)])
                started = time.perf_counter()
                try:
                    match = series.pattern.search(message, timeout=max(budget, 0.001))
                except TimeoutError:
                    self._switch_off(series)
                    continue
                spent[id(series)] += time.perf_counter() - started
                if match is None:
                    continue
                try:
                    series.add(host, float(match.group(1)))
                except (TypeError, ValueError):
                    continue
                found = True
        return found

    def _switch_off(self, series: MetricSeries) -> None:
        series.disabled = (
            f"metric {series.name}: its regex ran over its time budget ({LINE_BUDGET * 1000:.0f}"
            f" ms a line, {FEED_BUDGET:.1f} s a batch) and is switched off (nested quantifiers"
            " such as (a+)+ backtrack exponentially; rewrite the pattern)"
        )
        self._notices.append(series.disabled)

    def take_notices(self) -> list[str]:
        """Notices since the last call (a metric switched off), for a status line or stderr."""
        notices, self._notices = self._notices, []
        return notices

    @property
    def disabled(self) -> list[MetricSeries]:
        """The metrics switched off for blowing their time budget."""
        return [s for s in self.series if s.disabled is not None]

    @property
    def seen(self) -> list[MetricSeries]:
        """The metrics that have at least one value."""
        return [s for s in self.series if s.hosts]
