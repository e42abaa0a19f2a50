"""Log events as data, and how a log line is shown: one renderer for the CLI, the TUI's
view and saved logs.

A log line is someone else's text (the job's code, or anyone who can write to its log
group): its control characters are made visible (`^[`) wherever it is shown, so an escape
sequence in a log line cannot drive the terminal. Only `smtui logs --raw` opts out.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
import re
from collections.abc import Iterable
from typing import NamedTuple

from smtui.core.errors import UsageError
from smtui.core.safetext import clean, is_clean, without_surrogates


class LogEvent(NamedTuple):
    """One log line of one host. A tuple, not a dataclass: a tail makes millions of them,
    and a tuple is built several times faster."""

    timestamp: int
    """Milliseconds since the epoch, as CloudWatch stores it."""
    message: str
    stream: str
    ingestion: int = 0
    event_id: str | None = None
    """FilterLogEvents' id; None for events read with GetLogEvents."""
    seq: int = 0
    """The event's place among its stream's events of the same millisecond, where the
    source knows it (the local backend's log store); 0 otherwise."""

    @property
    def key(self) -> tuple[str, int, str]:
        """What identifies an event across the two ways of reading it."""
        return (self.stream, self.timestamp, self.message)


time_order = operator.attrgetter("timestamp", "stream", "seq")
"""Events in time order, hosts in name order at the same millisecond."""


HOST = re.compile(r"algo-([1-9][0-9]*)")
"""A host's name, as SageMaker numbers them: algo-1 … algo-N."""


def check_host(job: str, hosts: int, host: str) -> None:
    """Raise `UsageError` unless `host` is one of `job`'s `hosts` (`--host algo-N`)."""
    number = HOST.fullmatch(host)
    if number is None or int(number.group(1)) > hosts:
        named = "algo-1" if hosts == 1 else f"algo-1 … algo-{hosts}"
        raise UsageError(f"--host {host}: {job} has {hosts} host(s): {named}")


def host_of(stream: str) -> str:
    """`job/algo-2-1700000000` → `algo-2`."""
    name = stream.split("/", 1)[-1]
    parts = name.split("-")
    return "-".join(parts[:2]) if len(parts) >= 2 else name


@functools.lru_cache(maxsize=4096)
def host_prefix(stream: str) -> str:
    """`job/algo-2-1700000000` → `[algo-2] ` (a stream's name is anyone's text too)."""
    return f"[{clean(host_of(stream))}] "


def stamp(timestamp_ms: int) -> str:
    """An event's time in the local zone with its offset, to the millisecond (ISO 8601:
    unambiguous in a saved log or a pipe)."""
    when = dt.datetime.fromtimestamp(timestamp_ms / 1000, dt.UTC).astimezone()
    return when.isoformat(timespec="milliseconds")


def render_event(event: LogEvent, *, hosts: bool, timestamps: bool, raw: bool = False) -> str:
    """`time [algo-N] message`: the time when asked, the host on a multi-node job. A
    multi-line message keeps its newlines. `raw` keeps control characters as logged (lone
    surrogates, which no output can encode, are replaced even then)."""
    show = without_surrogates if raw else _shown
    text = show(event.message.rstrip("\n"))
    if hosts:
        text = host_prefix(event.stream) + text
    return f"{stamp(event.timestamp)} {text}" if timestamps else text


def render_events(
    events: Iterable[LogEvent], *, hosts: bool, timestamps: bool, raw: bool = False
) -> list[str]:
    """`render_event` for many events, with the common case (a flood of clean lines) kept
    cheap: one check of the whole batch instead of one a line."""
    if timestamps or raw:
        return [render_event(e, hosts=hosts, timestamps=timestamps, raw=raw) for e in events]
    events = events if isinstance(events, list) else list(events)
    messages = [e.message for e in events]
    joined = "".join(messages)
    if "\n" in joined:
        messages = [message.rstrip("\n") for message in messages]
    if not is_clean(joined, multiline=True):
        messages = [_shown(message) for message in messages]
    if hosts:
        return [host_prefix(e.stream) + m for e, m in zip(events, messages, strict=True)]
    return messages


def _shown(message: str) -> str:
    return clean(message, multiline=True)


_MESSAGE, _STREAM = operator.itemgetter(1), operator.itemgetter(2)
_CONTROLS = bytes(range(0x20)) + b"\x7f"
"""ASCII's controls: deleting them from a batch is three times faster than `isprintable`."""


def plain_width(events: list[LogEvent], *, hosts: bool) -> int | None:
    """The widest of `events`' lines without times, when every line is plain: printable
    ASCII, one line an event, shown as logged (so `render_event` can draw each later, and
    only those ever on screen). None when any is not: a tab, a newline, a control or a
    character of another width."""
    if not events:
        return 0
    messages = list(map(_MESSAGE, events))
    joined = "".join(messages)
    if not joined.isascii():  # known without a pass
        return None
    ascii_bytes = joined.encode("ascii")  # a copy; then no control at all (tab, newline)
    if len(ascii_bytes.translate(None, _CONTROLS)) != len(ascii_bytes):
        return None
    if not hosts:
        return max(map(len, messages))
    prefix = {stream: host_prefix(stream) for stream in set(map(_STREAM, events))}
    if not all(text.isascii() and text.isprintable() for text in prefix.values()):
        return None
    widths = {stream: len(text) for stream, text in prefix.items()}
    if len(set(widths.values())) == 1:  # algo-1 to algo-9: one width for every prefix
        return max(map(len, messages)) + next(iter(widths.values()))
    streams = map(_STREAM, events)
    longest: int = max(map(operator.add, map(len, messages), map(widths.__getitem__, streams)))
    return longest
