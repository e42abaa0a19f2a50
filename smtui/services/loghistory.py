"""A log tail's full history on disk, so the view can stay small while search and save see
every line.

The view keeps the newest lines only (a bounded buffer); this file keeps them all, one
record per physical line: `<milliseconds>\\t<host>\\t<text>`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from smtui.services.backend import LogEvent
from smtui.services.logtail import host_of


class LogLine(NamedTuple):
    """One physical line of one host (a multi-line event becomes several)."""

    timestamp: int
    host: str
    text: str


def lines_of(events: Iterable[LogEvent]) -> list[LogLine]:
    """Events split into physical lines, each tagged with its host."""
    out: list[LogLine] = []
    append = out.append
    for event in events:
        host = host_of(event.stream)
        text = event.message.rstrip("\n")
        if "\n" in text:
            for part in text.split("\n"):
                append(LogLine(event.timestamp, host, part.rstrip("\r")))
        else:
            append(LogLine(event.timestamp, host, text))
    return out


def stamp(timestamp_ms: int) -> str:
    """A line's time in the local zone, to the millisecond."""
    when = dt.datetime.fromtimestamp(timestamp_ms / 1000).astimezone()
    return when.strftime("%Y-%m-%d %H:%M:%S.") + f"{timestamp_ms % 1000:03d}"


def render_line(line: LogLine, *, hosts: bool, timestamps: bool) -> str:
    """A line as the view and saved files show it: `[time] [algo-N] text`."""
    text = f"[{line.host}] {line.text}" if hosts else line.text
    return f"{stamp(line.timestamp)} {text}" if timestamps else text


class LogHistory:
    """Append-only history of one tail, in a private temporary file removed on `close`."""

    def __init__(self, folder: Path | None = None) -> None:
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix="smtui-log-", suffix=".tsv", dir=folder)
        self.path = Path(name)
        self._file = os.fdopen(fd, "w+", encoding="utf-8", newline="\n")
        self.count = 0

    def append(self, lines: list[LogLine]) -> None:
        """Add lines in one write."""
        if not lines:
            return
        self._file.write("".join(f"{ts}\t{host}\t{text}\n" for ts, host, text in lines))
        self._file.flush()  # readers in other threads see whole records, up to `count`
        self.count += len(lines)

    def lines(self) -> Iterator[LogLine]:
        """Every line so far, oldest first. Safe from a thread while the tail goes on
        appending: it reads only the records counted when it started, all flushed."""
        count = self.count
        with self.path.open(encoding="utf-8", newline="\n") as handle:
            for _ in range(count):
                record = handle.readline()
                if not record:
                    return
                stamp_text, host, text = record.rstrip("\n").split("\t", 2)
                yield LogLine(int(stamp_text), host, text)

    def matching(self, pattern: re.Pattern[str], limit: int) -> tuple[list[LogLine], int]:
        """The newest `limit` lines whose text matches, and how many matched in all."""
        found: list[LogLine] = []
        total = 0
        for line in self.lines():
            if pattern.search(line.text):
                total += 1
                found.append(line)
                if len(found) > 2 * limit:
                    del found[:-limit]
        return found[-limit:], total

    def save(self, dest: Path, *, hosts: bool, timestamps: bool = True) -> int:
        """Write every line, rendered, to `dest`; returns how many."""
        written = 0
        with dest.open("w", encoding="utf-8") as out:
            for line in self.lines():
                out.write(render_line(line, hosts=hosts, timestamps=timestamps) + "\n")
                written += 1
        return written

    def close(self) -> None:
        """Close and remove the file."""
        self._file.close()
        self.path.unlink(missing_ok=True)
