"""`smtui logs`: every host's lines merged in time order; `--follow` until the job ends."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import time

from smtui.cli.common import lenient_spec, make_backend_for, run_async
from smtui.core.errors import UsageError
from smtui.core.logevents import render_events
from smtui.core.safetext import clean
from smtui.services.backend import Backend
from smtui.services.logtail import LogTailer

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


async def print_logs(
    backend: Backend,
    job: str,
    *,
    follow: bool,
    since: float | None = None,
    pattern: re.Pattern[str] | None = None,
    timestamps: bool = False,
    raw: bool = False,
) -> str | None:
    """Print the job's merged log lines to stdout; return the job's last known status.
    When the job has no log stream at all, say so on stderr (an empty output alone reads
    like a filter that matched nothing).

    Every line is written by the job's code (or anyone who can write to its log group), so
    its control characters are shown, not obeyed, unless `raw` asks for the bytes as logged
    (lone surrogates, which cannot be encoded, are replaced even then)."""
    hosts = (await backend.jobs.describe_job(job)).instance_count
    start_ms = int((time.time() - since) * 1000) if since is not None else None
    tailer = LogTailer(backend.logs, job, follow=follow, hosts=hosts, start_ms=start_ms)
    problem: str | None = None
    async for batch in tailer.batches():
        if batch.problem != problem:
            problem = batch.problem
            print(
                f"smtui: {clean(problem)}" if problem else "smtui: the log tail is current again",
                file=sys.stderr,
            )
        events = batch.events
        if pattern is not None:
            events = [event for event in events if pattern.search(event.message)]
        lines = render_events(events, hosts=hosts > 1, timestamps=timestamps, raw=raw)
        if lines:
            sys.stdout.write("\n".join(lines) + "\n")
            sys.stdout.flush()
    if not await backend.logs.streams(job):
        print(f"smtui: {job} has no log streams (it has written no logs yet)", file=sys.stderr)
    return tailer.status


def run(args: argparse.Namespace) -> int:
    since = parse_age(args.since) if args.since else None
    try:
        pattern = re.compile(args.filter) if args.filter else None
    except re.error as exc:
        raise UsageError(f"--filter: not a valid regular expression: {exc}") from None
    backend = make_backend_for(lenient_spec(args), args)
    status = run_async(
        print_logs(
            backend,
            args.job,
            follow=args.follow,
            since=since,
            pattern=pattern,
            timestamps=args.timestamps,
            raw=args.raw,
        )
    )
    if not args.follow:
        return 0
    # The tail ended because the job did: say how, and exit as `submit --wait` does.
    status = status or run_async(backend.jobs.describe_job(args.job)).status
    print(f"{args.job}: {status}", file=sys.stderr)
    if status in ("Failed", "Stopped"):
        failure = run_async(backend.jobs.describe_job(args.job)).failure_reason
        if failure:
            print(f"failure reason: {failure}", file=sys.stderr)
        return 1
    return 0
