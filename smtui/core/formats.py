"""How times, durations and money read on screen, shared by the CLI and the TUI."""

from __future__ import annotations

import datetime as dt


def when(value: dt.datetime | None) -> str:
    """A time in the local zone, to the second ('-' when unknown)."""
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S") if value else "-"


def duration(delta: dt.timedelta | float | None) -> str:
    """`1h02m`, `4m05s`, `12s`."""
    if delta is None:
        return "-"
    seconds = int(delta.total_seconds() if isinstance(delta, dt.timedelta) else delta)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def money(value: float | None) -> str:
    """`$1,234.50`, or '-' when unknown."""
    return "-" if value is None else f"${value:,.2f}"
