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
    name: str
    pattern: re.Pattern[str]
    values: deque[float] = field(default_factory=lambda: deque(maxlen=POINTS))

    @property
    def last(self) -> float | None:
        return self.values[-1] if self.values else None


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

    def feed(self, messages: Iterable[str]) -> bool:
        """Read values from `messages`; True when any metric got a new one."""
        if not self.series:
            return False
        found = False
        for message in messages:
            for series in self.series:
                match = series.pattern.search(message)
                if match is None:
                    continue
                try:
                    series.values.append(float(match.group(1)))
                except (TypeError, ValueError):
                    continue
                found = True
        return found

    @property
    def seen(self) -> list[MetricSeries]:
        """The metrics that have at least one value."""
        return [s for s in self.series if s.values]
