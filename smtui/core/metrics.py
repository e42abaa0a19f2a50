"""Training metrics read from log lines, the way SageMaker reads them: each metric
definition's regex is searched in every line and its first group is the value."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

BLOCKS = "▁▂▃▄▅▆▇█"
POINTS = 120
"""Values kept per metric: the newest, enough for a sparkline across a wide terminal."""


@dataclass
class MetricSeries:
    """One metric's values, host by host: on a multi-node run each host logs its own, and
    one line of them interleaved would zig-zag between hosts instead of showing a trend."""

    name: str
    pattern: re.Pattern[str]
    hosts: dict[str, deque[float]] = field(default_factory=dict)

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
        for item in definitions:
            name, regex = str(item.get("Name", "")), str(item.get("Regex", ""))
            try:
                pattern = re.compile(regex)
            except re.error as exc:
                self.problems.append(f"metric {name}: its regex does not compile: {exc}")
                continue
            if pattern.groups < 1:
                self.problems.append(f"metric {name}: its regex has no group for the value")
                continue
            self.series.append(MetricSeries(name, pattern))

    def feed(self, lines: Iterable[tuple[str, str]]) -> bool:
        """Read values from (host, message) lines; True when any metric got a new one."""
        if not self.series:
            return False
        found = False
        for host, message in lines:
            for series in self.series:
                match = series.pattern.search(message)
                if match is None:
                    continue
                try:
                    series.add(host, float(match.group(1)))
                except (TypeError, ValueError):
                    continue
                found = True
        return found

    @property
    def seen(self) -> list[MetricSeries]:
        """The metrics that have at least one value."""
        return [s for s in self.series if s.hosts]
