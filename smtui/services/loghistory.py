"""A log tail's full history on disk, so the view can stay small while search and save see
every line.

The view keeps the newest lines only (a bounded buffer); this file keeps every event. Each
`append` writes one block, in columns, so a million lines cost a few C-level joins, not a
formatted record each (that was a sixth of a flood's time):

    header     5 little-endian uint32: events, and the byte lengths of the stream
               names, timestamps, lengths and messages (the codes take 4 bytes an event)
    streams    JSON list of the stream names first seen in this block (b"" when none)
    timestamps int64 milliseconds, one an event
    streams    uint32 codes, one an event (the order of first appearance)
    lengths    uint32 message lengths in characters, one an event
    messages   the messages, concatenated, UTF-8 (lone surrogates kept: surrogatepass)

Records are kept in arrival order, and read back in time order: a host whose lines reached
CloudWatch late arrives after lines written after its own, by at most the history's
`lateness`, so a heap holding that window's events puts every line in its place without
holding the whole history in memory.

The files are private (mkstemp makes them 0600) and hold other people's log lines, so they
must not outlive the app: each is removed on `close`, on exit, and on SIGHUP (the SSH
session dropped) or SIGTERM; a process killed outright (SIGKILL) leaves its files behind,
so each new history first sweeps away those whose owning process (named in the file name)
is gone.
"""

from __future__ import annotations

import atexit
import heapq
import json
import operator
import os
import re
import signal
import struct
import tempfile
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

from smtui.core.logevents import LogEvent, render_event, time_order

_HEADER = struct.Struct("<5I")
WRITE_BUFFER = 4 << 20
"""Bytes of blocks held before they are written (some fifty of a flood's chunks)."""
_STAMP, _MESSAGE, _STREAM = operator.itemgetter(0), operator.itemgetter(1), operator.itemgetter(2)


class _Codes(dict[str, int]):
    """Stream names to codes, a new one for each name not seen before."""

    def __init__(self) -> None:
        super().__init__()
        self.new: list[str] = []

    def __missing__(self, stream: str) -> int:
        code = self[stream] = len(self)
        self.new.append(stream)
        return code


PREFIX = "smtui-log-"
_STALE = re.compile(re.escape(PREFIX) + r"(\d+)-.*\.tsv")
_live: set[Path] = set()
"""History files this process has open, removed when it exits or is told to stop."""
_guard = threading.Lock()
_swept: set[str] = set()


def _remove_live() -> None:
    for path in list(_live):
        path.unlink(missing_ok=True)
    _live.clear()


def _on_signal(previous: Any) -> Any:
    def handler(signum: int, frame: FrameType | None) -> None:
        _remove_live()
        if callable(previous):
            previous(signum, frame)
        elif previous != signal.SIG_IGN:
            signal.signal(signum, signal.SIG_DFL)  # die of the signal, as without us
            os.kill(os.getpid(), signum)

    return handler


def _install_cleanup() -> None:
    """Once per process: remove live files at exit and on SIGHUP/SIGTERM (keeping any
    handler already installed). Signal handlers can only be set from the main thread; a
    history made elsewhere still has the exit hook and the next start-up's sweep."""
    atexit.register(_remove_live)
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGHUP, signal.SIGTERM):
        previous = signal.getsignal(signum)
        signal.signal(signum, _on_signal(previous))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def sweep_stale(folder: Path) -> list[Path]:
    """Remove this user's history files in `folder` whose owning process has died."""
    removed: list[Path] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for path in entries:
        match = _STALE.fullmatch(path.name)
        if match is None or int(match.group(1)) == os.getpid():
            continue
        try:
            if path.stat().st_uid != os.geteuid() or _alive(int(match.group(1))):
                continue
            path.unlink()
        except OSError:
            continue
        removed.append(path)
    return removed


class LogHistory:
    """Append-only history of one tail, in a private temporary file removed on `close`."""

    def __init__(self, folder: Path | None = None) -> None:
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
        where = folder or Path(tempfile.gettempdir())
        with _guard:
            if not _swept:
                _install_cleanup()
            if str(where) not in _swept:
                _swept.add(str(where))
                sweep_stale(where)
        fd, name = tempfile.mkstemp(prefix=f"{PREFIX}{os.getpid()}-", suffix=".tsv", dir=where)
        self.path = Path(name)
        _live.add(self.path)
        self._file = os.fdopen(fd, "wb", buffering=WRITE_BUFFER)
        self._codes = _Codes()
        self.count = 0
        """Events written so far."""
        self.lateness = 0
        """How far (ms) behind the newest line before it the latest-arriving line was; 0
        while every line came in time order."""
        self._newest: tuple[int, str, int] | None = None

    def append(self, events: list[LogEvent]) -> None:
        """Add events, in time order, in one write."""
        if not events:
            return
        codes = self._codes
        # Each column through a list: `array` takes a list in one go, a map item by item.
        stream_codes = array("I", list(map(codes.__getitem__, map(_STREAM, events))))
        new, codes.new = codes.new, []
        streams = json.dumps(new).encode() if new else b""
        stamps = array("q", list(map(_STAMP, events))).tobytes()
        messages = list(map(_MESSAGE, events))
        lengths = array("I", list(map(len, messages))).tobytes()
        # A CloudWatch message can hold a lone surrogate (JSON's "\udc80"): kept as written
        # (surrogatepass), since one unencodable line must not stop the whole history.
        text = "".join(messages).encode("utf-8", "surrogatepass")
        codes_bytes = stream_codes.tobytes()
        header = _HEADER.pack(len(events), len(streams), len(stamps), len(lengths), len(text))
        # Into the buffer: a flood's blocks reach the disk a few at a time, not in a system
        # call each (which hands the GIL to the threads parsing responses, and the UI waits
        # for it back). Readers flush first (`_records`).
        self._file.write(b"".join((header, streams, stamps, codes_bytes, lengths, text)))
        first, newest = time_order(events[0]), time_order(events[-1])
        if self._newest is not None:
            if first < self._newest:  # +1: a line at the same millisecond may be out of place
                self.lateness = max(self.lateness, self._newest[0] - first[0] + 1)
            newest = max(newest, self._newest)
        self._newest = newest
        self.count += len(events)  # after `lateness`: a reader sees both or the old count

    def events(self) -> Iterator[LogEvent]:
        """Every event so far, in time order. Safe from a thread while the tail goes on
        appending: it reads only the records counted when it started, all flushed."""
        count = self.count
        lateness = self.lateness
        records = self._records(count)
        return _in_order(records, lateness) if lateness else records

    def _records(self, count: int) -> Iterator[LogEvent]:
        """The first `count` events, in arrival order (whole blocks: `count` is raised only
        once a block is written, and the buffer is flushed before reading; the buffered
        file takes its own lock, so a reader's thread may flush it)."""
        self._file.flush()
        names: list[str] = []
        read = 0
        with self.path.open("rb") as handle:
            while read < count:
                header = handle.read(_HEADER.size)
                if len(header) < _HEADER.size:
                    return
                n, streams_size, stamps_size, lengths_size, text_size = _HEADER.unpack(header)
                if streams_size:
                    names.extend(json.loads(handle.read(streams_size)))
                stamps = array("q", handle.read(stamps_size))
                codes = array("I", handle.read(4 * n))
                lengths = array("I", handle.read(lengths_size))
                text = handle.read(text_size).decode("utf-8", "surrogatepass")
                at = 0
                for stamp, code, length in zip(stamps, codes, lengths, strict=True):
                    yield LogEvent(stamp, text[at : at + length], names[code])
                    at += length
                read += n

    def matching(
        self, passes: Callable[[LogEvent], object], limit: int
    ) -> tuple[list[LogEvent], int]:
        """The newest `limit` events that pass, and how many passed in all."""
        found: list[LogEvent] = []
        total = 0
        for event in self.events():
            if passes(event):
                total += 1
                found.append(event)
                if len(found) > 2 * limit:
                    del found[:-limit]
        return found[-limit:], total

    def save(self, dest: Path, *, hosts: bool, timestamps: bool = True) -> int:
        """Write every event, rendered, to `dest`; returns how many."""
        written = 0
        with dest.open("w", encoding="utf-8", errors="replace") as out:  # a file for people
            for event in self.events():
                out.write(render_event(event, hosts=hosts, timestamps=timestamps) + "\n")
                written += 1
        return written

    def close(self) -> None:
        """Close and remove the file."""
        self._file.close()
        self.path.unlink(missing_ok=True)
        _live.discard(self.path)


def _in_order(events: Iterable[LogEvent], lateness: int) -> Iterator[LogEvent]:
    """`events` in time order, given that none comes `lateness` ms or more behind the newest
    before it: whatever is older than that behind the newest so far can go out."""
    heap: list[tuple[int, str, int, LogEvent]] = []
    newest = None
    for seq, event in enumerate(events):
        heapq.heappush(heap, (event.timestamp, event.stream, seq, event))
        if newest is None or event.timestamp > newest:
            newest = event.timestamp
        floor = newest - lateness
        while heap[0][0] < floor:
            yield heapq.heappop(heap)[3]
    while heap:
        yield heapq.heappop(heap)[3]
