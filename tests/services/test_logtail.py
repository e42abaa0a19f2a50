"""The log tailer against CloudWatch in moto: merge, pages, late streams, throttling, drain."""

from __future__ import annotations

import asyncio
import time

import pytest

from smtui.core.backoff import Backoff
from smtui.core.logevents import LogEvent, host_of
from smtui.services.aws.clients import AwsClients, AwsSettings
from smtui.services.aws.logs import AwsLogSource
from smtui.services.backend import EventPage
from smtui.services.errors import EndpointUnreachable
from smtui.services.logtail import LogBatch, LogTailer, TailPolicy
from tests.awsfakes import Throttler, create_job, put_events, set_status

FAST = TailPolicy(
    fast=0.01, slow=0.03, status_every=0.05, discover_every=0.05, reconcile_every=0.1,
    overlap_ms=50, backoff=Backoff(first=0.05, ceiling=0.05),
)  # fmt: skip
BASE = int(time.time() * 1000) - 3_600_000


def source(
    page_size: int | None = 100, max_attempts: int = 8, mode: str = "adaptive"
) -> AwsLogSource:
    settings = AwsSettings(region="us-east-1", max_attempts=max_attempts, retry_mode=mode)
    clients = AwsClients(settings)
    return AwsLogSource(clients, page_size=page_size)


def interleaved(job: str, hosts: int, per_host: int) -> dict[str, list[tuple[int, str]]]:
    """Events whose timestamps interleave across hosts (host h writes at BASE + 3i + h)."""
    return {
        f"{job}/algo-{h}-1700000000": [
            (BASE + 3 * i + h, f"algo-{h} line {i}") for i in range(per_host)
        ]
        for h in range(1, hosts + 1)
    }


async def collect(
    tailer: LogTailer, until: int | None = None
) -> tuple[list[LogEvent], list[LogBatch]]:
    events: list[LogEvent] = []
    batches: list[LogBatch] = []
    async for batch in tailer.batches():
        batches.append(batch)
        events += batch.events
        if batch.done or (until is not None and len(events) >= until):
            break
    return events, batches


def expected(streams: dict[str, list[tuple[int, str]]]) -> list[tuple[int, str, str]]:
    return sorted((ts, stream, msg) for stream, evs in streams.items() for ts, msg in evs)


def seen(events: list[LogEvent]) -> list[tuple[int, str, str]]:
    return [(e.timestamp, e.stream, e.message) for e in events]


def seen_live(events: list[LogEvent]) -> list[tuple[int, str, str]]:
    """While following, order holds within a batch (checked by `collect_live`), and lines
    come in the batch that finds them; compare the sets, counting repeats."""
    return sorted(seen(events))


def in_order(batch: LogBatch) -> bool:
    keys = [(e.timestamp, e.stream) for e in batch.events]
    return keys == sorted(keys)


def test_host_names() -> None:
    assert host_of("job/algo-2-1700000000") == "algo-2"
    assert host_of("job/algo-12-17") == "algo-12"


async def test_three_hosts_over_many_pages_merge_exactly_once_in_order(moto_aws: None) -> None:
    create_job("merge", hosts=3, status="Completed")
    streams = interleaved("merge", 3, 2000)
    for stream, written in streams.items():
        put_events(stream, written)
    events, batches = await collect(LogTailer(source(page_size=97), "merge", follow=False, hosts=3))
    assert seen(events) == expected(streams)
    assert len(batches) > 20  # many pages, written as they arrive
    assert batches[-1].done


async def test_follow_sees_new_events_ends_with_the_job_and_drains(moto_aws: None) -> None:
    create_job("live", hosts=2)
    streams = interleaved("live", 2, 50)
    for stream, events in streams.items():
        put_events(stream, events)
    tailer = LogTailer(source(), "live", follow=True, hosts=2, policy=FAST)
    out: list[LogEvent] = []
    async for batch in tailer.batches():
        out += batch.events
        assert in_order(batch)
        if len(out) == 100 and tailer.state.emitted == 100:
            more = {s: [(BASE + 10_000 + i, f"late {i}") for i in range(5)] for s in streams}
            for stream, events in more.items():
                put_events(stream, events)
                streams[stream] += events
        if len(out) == 110 and tailer.status != "Completed":
            set_status("live", "Completed")
            # lines flushed after SageMaker marked the job Completed must still be shown
            put_events(next(iter(streams)), [(BASE + 20_000, "final words")])
            streams[next(iter(streams))].append((BASE + 20_000, "final words"))
        if batch.done:
            break
    assert seen_live(out) == expected(streams)


async def test_a_stream_that_appears_late_is_found(moto_aws: None) -> None:
    create_job("late", hosts=2)
    first = interleaved("late", 1, 20)
    for stream, events in first.items():
        put_events(stream, events)
    tailer = LogTailer(source(), "late", follow=True, hosts=2, policy=FAST)
    out: list[LogEvent] = []
    second = {"late/algo-2-1700000000": [(BASE + 100 + i, f"algo-2 {i}") for i in range(20)]}
    async for batch in tailer.batches():
        out += batch.events
        assert in_order(batch)
        if len(out) == 20 and "late/algo-2-1700000000" not in tailer.state.tokens:
            put_events("late/algo-2-1700000000", second["late/algo-2-1700000000"])
        if len(out) == 40:
            set_status("late", "Completed")
        if batch.done:
            break
    assert seen_live(out) == expected(first | second)


async def test_a_line_that_search_misses_is_found_by_the_exact_read(moto_aws: None) -> None:
    # Host 2 lags: its line stamped long before the newest line shown reaches CloudWatch
    # late, beyond the search overlap. The periodic exact read must still show it, once.
    create_job("gap", hosts=2)
    fast, slow = "gap/algo-1-1700000000", "gap/algo-2-1700000000"
    put_events(fast, [(BASE + i, f"line {i}") for i in range(10)])
    put_events(slow, [(BASE + 1, "slow host starts")])
    tailer = LogTailer(source(), "gap", follow=True, hosts=2, policy=FAST)
    out: list[str] = []
    step = "history"
    async for batch in tailer.batches():
        out += [e.message for e in batch.events]
        if step == "history" and len(out) >= 11:
            put_events(fast, [(BASE + 5_000, "newer")])
            step = "newer"
        elif step == "newer" and "newer" in out:
            assert tailer.state.watermark == BASE + 5_000
            put_events(slow, [(BASE + 20, "slow host catches up")])  # below the search floor
            step = "late"
        elif step == "late" and "slow host catches up" in out:
            set_status("gap", "Completed")
            step = "ending"
        if batch.done:
            break
    assert step == "ending"
    wanted = [f"line {i}" for i in range(10)] + [
        "slow host starts",
        "newer",
        "slow host catches up",
    ]
    assert sorted(out) == sorted(wanted)


@pytest.mark.parametrize("max_attempts", [8, 1], ids=["botocore-retries", "tailer-backoff"])
async def test_throttling_a_third_of_log_calls_loses_and_repeats_nothing(
    moto_aws: None, max_attempts: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.retries.standard import ExponentialBackoff

    real_delay = ExponentialBackoff.delay_amount
    # botocore's retries are real; only its sleeps are shortened to keep the test quick.
    monkeypatch.setattr(
        ExponentialBackoff, "delay_amount", lambda self, ctx: min(real_delay(self, ctx), 0.02)
    )
    create_job("busy", hosts=3)
    per_host = 120
    streams = interleaved("busy", 3, per_host)
    for stream, events in streams.items():
        put_events(stream, events)
    # With one attempt botocore gives every throttle to the tailer, whose backoff is tested.
    # "standard" keeps adaptive mode's client-side rate limiter (which, once throttled,
    # paces calls for real seconds) out of the way; the retries themselves are the same.
    logs = source(page_size=30, max_attempts=max_attempts, mode="standard")
    throttler = Throttler(
        every=3, operations=("GetLogEvents", "FilterLogEvents", "DescribeLogStreams")
    )
    logs.clients.on("before-send.cloudwatch-logs", throttler)
    tailer = LogTailer(logs, "busy", follow=True, hosts=3, policy=FAST)
    out: list[LogEvent] = []
    problems = []
    async with asyncio.timeout(60):  # a tail that cannot make progress fails, never hangs
        async for batch in tailer.batches():
            out += batch.events
            assert in_order(batch)
            problems += [batch.problem] if batch.problem else []
            if len(out) == 3 * per_host and tailer.status != "Completed":
                more = {
                    s: [(BASE + 50_000 + 3 * i, f"more {i}") for i in range(30)] for s in streams
                }
                for stream, events in more.items():
                    put_events(stream, events)
                    streams[stream] += events
                set_status("busy", "Completed")
            if batch.done:
                break
    assert throttler.throttled > 10
    assert seen_live(out) == expected(streams)
    if max_attempts == 1:
        assert any("throttled" in p and "retrying in" in p for p in problems)
    else:
        assert problems == []  # botocore absorbed every throttle


async def test_a_resumed_tail_continues_where_it_stopped(moto_aws: None) -> None:
    create_job("resume", hosts=2, status="Completed")
    streams = interleaved("resume", 2, 500)
    for stream, events in streams.items():
        put_events(stream, events)
    first = LogTailer(source(page_size=64), "resume", follow=False, hosts=2)
    out, _ = await collect(first, until=300)
    second = LogTailer(source(page_size=64), "resume", follow=False, hosts=2, state=first.state)
    rest, _ = await collect(second)
    assert seen(out + rest) == expected(streams)


async def test_a_tail_is_cancelled_cleanly(moto_aws: None) -> None:
    create_job("cancel", hosts=1)
    put_events("cancel/algo-1-1", [(BASE, "x")])
    tailer = LogTailer(source(), "cancel", follow=True, policy=FAST)

    async def run() -> None:
        async for _ in tailer.batches():
            pass

    task = asyncio.create_task(run())
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


class OutageAfterCatchUp:
    """Reads that fail once, right after the first stream has caught up and before the other
    has, while both hosts go on logging: what `smtui logs --follow` met on a busy CI box."""

    cheap = False

    def __init__(self, inner: AwsLogSource, during: list[tuple[int, str]]) -> None:
        self.inner, self.during = inner, during
        self.down = False

    async def streams(self, job: str) -> list[str]:
        return await self.inner.streams(job)

    async def read(self, stream: str, token: str | None, start_ms: int | None) -> EventPage:
        if self.down:
            self.down = False  # back after one refused call
            raise EndpointUnreachable("logs:GetLogEvents: cannot reach the endpoint")
        page = await self.inner.read(stream, token, start_ms)
        if self.during and not page.events and page.next_token == token:
            for h, name in enumerate(await self.streams("gap"), 1):
                put_events(name, [(ts + h, msg) for ts, msg in self.during])
            self.during, self.down = [], True
        return page

    async def last(self, stream: str, limit: int) -> list[LogEvent]:
        return await self.inner.last(stream, limit)

    async def search(
        self, streams: list[str], start_ms: int, token: str | None, pattern: str | None = None
    ) -> None:
        return None

    async def job_status(self, job: str) -> str:
        return await self.inner.job_status(job)


async def test_lines_logged_during_an_outage_mid_read_come_out_in_time_order(
    moto_aws: None,
) -> None:
    create_job("gap", hosts=2, status="Completed")
    streams = interleaved("gap", 2, 50)
    for name, written in streams.items():
        put_events(name, written)
    during = [(BASE + 1000 + 3 * i, f"during {i}") for i in range(20)]
    flaky = OutageAfterCatchUp(source(page_size=None), during)
    events, batches = await collect(LogTailer(flaky, "gap", follow=False, hosts=2, policy=FAST))
    assert any(batch.problem for batch in batches)
    assert len(events) == 2 * (50 + 20)
    keys = [(e.timestamp, e.stream) for e in events]
    assert keys == sorted(keys)


async def test_a_filtered_follow_searches_alone_pages_through_and_ends_with_the_job(
    moto_aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`pattern`: FilterLogEvents only (moto filters), every page of the history (pages of
    7, more than the page cap of a poll), new matches while following, then the end."""
    from tests.awsfakes import record_calls

    create_job("grep", hosts=2)
    streams = {
        f"grep/algo-{h}-1": [(BASE + 2 * i + h, f"{'ERROR' if i % 3 == 0 else 'ok'} {h}.{i}")
                             for i in range(300)]
        for h in (1, 2)
    }  # fmt: skip
    for stream, events in streams.items():
        put_events(stream, events)
    sent = record_calls(monkeypatch)
    policy = TailPolicy(**{**FAST.__dict__, "max_search_pages": 3})
    tailer = LogTailer(source(page_size=7), "grep", follow=True, hosts=2, policy=policy,
                       pattern="ERROR", host="algo-2")  # fmt: skip
    out: list[LogEvent] = []
    async for batch in tailer.batches():
        out += batch.events
        if len(out) == 100 and tailer.status != "Completed":
            put_events("grep/algo-2-1", [(BASE + 5_000, "ERROR late"), (BASE + 5_001, "ok")])
            put_events("grep/algo-1-1", [(BASE + 5_002, "ERROR other host")])
            set_status("grep", "Completed")
        if batch.done:
            break
    wanted = [(ts, msg) for ts, msg in streams["grep/algo-2-1"] if msg.startswith("ERROR")]
    assert [(e.timestamp, e.message) for e in out] == [*wanted, (BASE + 5_000, "ERROR late")]
    assert "logs:GetLogEvents" not in sent and "logs:FilterLogEvents" in sent
