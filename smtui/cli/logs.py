"""`smtui logs`: every host's lines merged in time order; `--follow` until the job ends."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import re
import sys
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass

from smtui.cli.common import (
    lenient_spec,
    log_source,
    make_backend_for,
    notify_setup,
    resolve_job,
    run_async,
    say_end,
)
from smtui.core.errors import UsageError
from smtui.core.kinds import TRAINING, Kind, kind_of
from smtui.core.logevents import LogEvent, check_host, host_of, render_events, time_order
from smtui.core.safetext import clean
from smtui.services.backend import Backend, LogSource
from smtui.services.logtail import LogBatch, LogTailer

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = r"(\d+(?:\.\d+)?)\s*([smhdw])"


def parse_age(text: str, now: float | None = None) -> float:
    """`90s`, `10m`, `1h30m`, `1d` → seconds; an ISO-8601 time (`2026-01-02T03:04:05Z`,
    `2026-01-02`; without a zone, local time) → the seconds since it."""
    given = text.strip()
    if re.fullmatch(rf"(?:{_PART}\s*)+", given, re.ASCII):
        return sum(float(n) * _UNITS[unit] for n, unit in re.findall(_PART, given, re.ASCII))
    try:
        moment = dt.datetime.fromisoformat(given.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"--since: '{text}' is not an age (30s, 10m, 1h30m, 2d) or an ISO-8601 time "
            "(2026-01-02T03:04:05Z)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # a time without a zone is the user's local time
    age = (time.time() if now is None else now) - moment.timestamp()
    if age < 0:
        raise UsageError(f"--since: {text} is in the future")
    return age


LAST_PAGE = 10_000
"""The most events one GetLogEvents returns: `--tail` up to this reads one page a stream."""


def event_json(event: LogEvent) -> str:
    """One event as FilterLogEvents shapes it, on one line (JSON escapes every control
    character, so the line is safe on a terminal as it is)."""
    item: dict[str, object] = {
        "logStreamName": event.stream,
        "timestamp": event.timestamp,
        "message": event.message,
        "ingestionTime": event.ingestion,
    }
    if event.event_id:
        item["eventId"] = event.event_id
    return json.dumps(item)


@dataclass(frozen=True)
class LogQuery:
    """What `smtui logs` was asked for, beyond the job."""

    follow: bool = False
    since: float | None = None
    """Seconds before now."""
    pattern: re.Pattern[str] | None = None
    """`--filter`: a regular expression applied here."""
    filter_pattern: str | None = None
    """`--filter-pattern`: CloudWatch's filter syntax, applied by CloudWatch."""
    host: str | None = None
    tail: int | None = None
    """Only the last N lines (of those that pass the filters)."""
    timestamps: bool = False
    raw: bool = False
    json: bool = False
    kind: Kind = TRAINING
    """`--kind`: the kind of job, whose log group is read."""


async def print_logs(backend: Backend, job: str, query: LogQuery | None = None) -> str | None:
    """Print the job's merged log lines to stdout; return the job's last known status.
    When the job has no log stream at all, say so on stderr (an empty output alone reads
    like a filter that matched nothing).

    Every line is written by the job's code (or anyone who can write to its log group), so
    its control characters are shown, not obeyed, unless `raw` asks for the bytes as logged
    (lone surrogates, which cannot be encoded, are replaced even then)."""
    query = query or LogQuery()
    source = log_source(backend, query.kind)
    hosts = (await backend.jobs.describe_job(job, query.kind)).instance_count
    if query.host is not None:
        check_host(job, hosts, query.host)
    start_ms = int((time.time() - query.since) * 1000) if query.since is not None else None

    def tailer(follow: bool, start: int | None) -> LogTailer:
        return LogTailer(source, job, follow=follow, hosts=hosts, start_ms=start,
                         host=query.host, pattern=query.filter_pattern)  # fmt: skip

    def write(events: list[LogEvent]) -> None:
        if query.pattern is not None:
            events = [event for event in events if query.pattern.search(event.message)]
        if query.json:
            lines = [event_json(event) for event in events]
        else:
            prefixed = hosts > 1 and query.host is None
            lines = render_events(events, hosts=prefixed, timestamps=query.timestamps,
                                  raw=query.raw)  # fmt: skip
        if lines:
            sys.stdout.write("\n".join(lines) + "\n")
            sys.stdout.flush()

    problem: str | None = None

    def report(batch: LogBatch) -> None:
        nonlocal problem
        if batch.problem != problem:
            problem = batch.problem
            print(
                f"smtui: {clean(problem)}" if problem else "smtui: the log tail is current again",
                file=sys.stderr,
            )

    status: str | None = None
    follow_from = start_ms
    shown_at_edge: Counter[tuple[str, int, str]] = Counter()
    if query.tail is not None:
        last = await _last_lines(source, job, query, tailer(False, start_ms), report)
        write(last)
        if last:  # the follow goes on from the last line shown, not repeating it
            follow_from = last[-1].timestamp
            shown_at_edge = Counter(e.key for e in last if e.timestamp == follow_from)
        if not query.follow:
            return (await backend.jobs.describe_job(job, query.kind)).status
    live = tailer(query.follow, follow_from)
    async for batch in live.batches():
        report(batch)
        events = batch.events
        if shown_at_edge:
            events = [e for e in events if not _take(shown_at_edge, e)]
        write(events)
    status = live.status
    if not await source.streams(job):
        print(f"smtui: {job} has no log streams (it has written no logs yet)", file=sys.stderr)
    return status


def _take(counts: Counter[tuple[str, int, str]], event: LogEvent) -> bool:
    """Whether `event` is one of `counts` (already shown), counting it off."""
    if counts[event.key] > 0:
        counts[event.key] -= 1
        return True
    return False


async def _last_lines(
    source: LogSource,
    job: str,
    query: LogQuery,
    history: LogTailer,
    report: Callable[[LogBatch], None],
) -> list[LogEvent]:
    """The last `query.tail` lines that pass the filters, in time order. Unfiltered, each
    stream's newest page (one call a stream, however long the log); filtered, or more
    than a page, the whole history read and its end kept."""
    n = query.tail or 0
    if n <= 0:
        return []
    if query.pattern is None and query.filter_pattern is None and n <= LAST_PAGE:
        streams = [s for s in await source.streams(job)
                   if query.host is None or host_of(s) == query.host]  # fmt: skip
        pages = await asyncio.gather(*(source.last(s, n) for s in streams))
        floor = history.start_ms
        merged = [e for page in pages for e in page if floor is None or e.timestamp >= floor]
        return sorted(merged, key=time_order)[-n:]
    kept: deque[LogEvent] = deque(maxlen=n)
    async for batch in history.batches():
        report(batch)
        pattern = query.pattern
        kept.extend(e for e in batch.events if pattern is None or pattern.search(e.message))
    return list(kept)


def run(args: argparse.Namespace) -> int:
    since = parse_age(args.since) if args.since else None
    try:
        pattern = re.compile(args.filter) if args.filter else None
    except re.error as exc:
        raise UsageError(f"--filter: not a valid regular expression: {exc}") from None
    if args.tail is not None and args.tail < 0:
        raise UsageError(f"--tail: {args.tail} is not a number of lines (0 or more)")
    query = LogQuery(
        follow=args.follow,
        since=since,
        pattern=pattern,
        filter_pattern=args.filter_pattern,
        host=args.host,
        tail=args.tail,
        timestamps=args.timestamps,
        raw=args.raw,
        json=args.format == "json",
        kind=kind_of(args.kind),
    )
    if args.notify and not args.follow:
        raise UsageError("--notify tells you when the job ends: it needs --follow")
    notify = notify_setup(args)
    backend = make_backend_for(lenient_spec(args), args)
    log_source(backend, query.kind)  # a kind with no log here says so before any call
    job = resolve_job(args, backend)
    status = run_async(print_logs(backend, job, query))
    if not args.follow:
        return 0
    # The tail ended because the job did: say how, and exit as `submit --wait` does.
    status = status or run_async(backend.jobs.describe_job(job, query.kind)).status
    say_end(backend, job, status, kind=query.kind, notify=args.notify, command=notify)
    return 1 if status in ("Failed", "Stopped") else 0
