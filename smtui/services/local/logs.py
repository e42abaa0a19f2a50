"""Local log streams: one file per host, `<job folder>/logs/algo-N-<epoch>.log`.

Each line of a file is one event, `<milliseconds>.<seq>\\t<message>`, appended by the
supervisor as the host prints it; `seq` counts the stream's events, so two of the same
millisecond sort in the order they were written (files from before it, `<milliseconds>\\t`,
still read, with seq 0). A stream's token is a byte offset into its file, so reads resume
exactly where the last one stopped, and a line still being written (no newline yet) waits
for the next read.
"""

from __future__ import annotations

import asyncio

from smtui.core.logevents import LogEvent
from smtui.services.backend import EventPage
from smtui.services.local.store import JobStore, unreadable

TAIL_BYTES = 256 * 1024
"""Bytes read at a time from the end of a stream's file, for its newest lines."""
PAGE_BYTES = 4 * 1024 * 1024
"""Most bytes one read returns (CloudWatch's pages stop at 1 MB or 10,000 events)."""


def log_record(ms: int, seq: int, message: str) -> str:
    """One event as a line of a stream's file."""
    return f"{ms}.{seq}\t{message}\n"


def parse_record(line: str) -> tuple[int, int, str]:
    """(milliseconds, seq, message) of one line of a stream's file; 0 for a bad stamp."""
    stamp, _, message = line.partition("\t")
    ms_text, _, seq_text = stamp.partition(".")
    ms = int(ms_text) if ms_text.isdigit() else 0
    seq = int(seq_text) if seq_text.isdigit() else 0
    return ms, seq, message


class LocalLogSource:
    """`LogSource` over the supervisor's per-host files."""

    cheap = True

    def __init__(self, store: JobStore) -> None:
        self.store = store

    async def streams(self, job: str) -> list[str]:
        folder = self.store.folder(job) / "logs"

        def scan() -> list[str]:
            try:
                return sorted(f"{job}/{p.stem}" for p in folder.glob("*.log"))
            except OSError as exc:
                raise unreadable(f"list the log streams in {folder}", exc) from exc

        return await asyncio.to_thread(scan)

    async def read(self, stream: str, token: str | None, start_ms: int | None) -> EventPage:
        job, _, name = stream.partition("/")
        path = self.store.folder(job) / "logs" / f"{name}.log"
        offset = int(token) if token else 0

        def read() -> EventPage:
            try:
                with path.open("rb") as handle:
                    handle.seek(offset)
                    chunk = handle.read(PAGE_BYTES)
            except FileNotFoundError:
                return EventPage([], token)
            except OSError as exc:
                raise unreadable(f"read the log stream {path}", exc) from exc
            complete = chunk[: chunk.rfind(b"\n") + 1]
            if not complete:
                return EventPage([], token)  # caught up: the same token back
            events = []
            for line in complete.decode("utf-8", "replace").splitlines():
                ms, seq, message = parse_record(line)
                if start_ms is None or ms >= start_ms:
                    events.append(LogEvent(ms, message, stream, ms, seq=seq))
            return EventPage(events, str(offset + len(complete)))

        return await asyncio.to_thread(read)

    async def last(self, stream: str, limit: int) -> list[LogEvent]:
        job, _, name = stream.partition("/")
        path = self.store.folder(job) / "logs" / f"{name}.log"

        def read_end() -> list[LogEvent]:
            # From the end of the file, a chunk at a time, until `limit` whole lines are in.
            try:
                with path.open("rb") as handle:
                    end = handle.seek(0, 2)
                    start, chunk = end, b""
                    while start > 0 and chunk.count(b"\n") <= limit:
                        start = max(0, start - TAIL_BYTES)
                        handle.seek(start)
                        chunk = handle.read(end - start)
            except FileNotFoundError:
                return []
            except OSError as exc:
                raise unreadable(f"read the log stream {path}", exc) from exc
            lines = chunk[: chunk.rfind(b"\n") + 1].decode("utf-8", "replace").splitlines()
            if start > 0:
                lines = lines[1:]  # the first may be the end of a line cut in two
            events = []
            for line in lines[-limit:]:
                ms, seq, message = parse_record(line)
                events.append(LogEvent(ms, message, stream, ms, seq=seq))
            return events

        return await asyncio.to_thread(read_end)

    async def search(
        self, streams: list[str], start_ms: int, token: str | None, pattern: str | None = None
    ) -> EventPage | None:
        return None  # reading every file is as cheap as any search

    async def job_status(self, job: str) -> str:
        state = await asyncio.to_thread(self.store.read, job)
        status: str = state["TrainingJobStatus"]
        return status
