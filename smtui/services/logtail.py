"""The log tailer: every host's stream of a job, merged, exactly once, live or from history.

Two ways of reading are combined. `read` (GetLogEvents with each stream's forward token) is
exact: no event is skipped or repeated, but it costs one call per stream. `search`
(FilterLogEvents over all of a job's streams) costs one call per poll for every host, but
is eventually consistent. So a live tail polls with `search` for latency, and reconciles
with `read` now and then and at the end: an event either way is emitted once, matched by
(stream, timestamp, message) counts, and an event `search` missed is emitted when `read`
finds it. Failures leave the state untouched, so a retry neither loses nor repeats lines.

Order: a finished job's history comes out in exact time order across hosts. While
following, each batch is in time order, and a line comes in the batch that finds it (a
host whose lines reach CloudWatch late shows them when they arrive, not back in time).
Lines logged while the endpoint was away come out in time order across hosts once it is back.

A tail can be of one host (`host`), and can take a CloudWatch filter pattern (`pattern`):
CloudWatch then filters, and the tail is FilterLogEvents alone (the exact reads would bring
every line back), each event once by its ID. A source that cannot search with it (local
files, or more streams than one search takes) is read whole and filtered here
(`core/filterpattern.py`, the text forms).
"""

from __future__ import annotations

import asyncio
import operator
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from smtui.core.backoff import Backoff, retrying
from smtui.core.filterpattern import FilterPattern, parse
from smtui.core.jobs import TERMINAL
from smtui.core.logevents import LogEvent, host_of, time_order
from smtui.services.backend import LogSource
from smtui.services.errors import InvalidInput, ServiceError, Throttled


@dataclass(frozen=True)
class TailPolicy:
    """How often to call what.

    The defaults keep a live 16-host tail near 40 calls a minute (one FilterLogEvents per
    poll covers every host) with lines shown about a second after they are written; the
    SDK's follower makes about 200 for the same job and shows them after five (see
    bench/logs.py). FilterLogEvents' account quota is 5 a second, shared by every user and
    tool of the account and region, so a poll every 2 s takes a tenth of it at most."""

    fast: float = 2.0
    """Poll interval while lines are arriving."""
    slow: float = 6.0
    """Poll interval after a while with no lines."""
    status_every: float = 15.0
    """Seconds between job-status checks while following."""
    discover_every: float = 60.0
    """Seconds between stream discoveries once every host has a stream."""
    reconcile_every: float = 300.0
    """Seconds between exact reads of every stream while following (a line the search
    missed shows up then, or in the final drain)."""
    max_pending: int = 50_000
    """Reconcile early when this many searched events await their exact read."""
    overlap_ms: int = 3_000
    """Each search restarts this far before the newest event seen, to catch late arrivals."""
    backoff: Backoff = Backoff(first=2.0, ceiling=30.0)
    """The wait after failed calls in a row."""
    max_search_pages: int = 20

    @classmethod
    def for_source(cls, source: LogSource) -> TailPolicy:
        """The defaults above for CloudWatch; for a source whose reads cost nothing (local
        files), poll often, so a line shows within a fifth of a second."""
        if source.cheap:
            return cls(
                fast=0.2,
                slow=0.5,
                status_every=1.0,
                discover_every=1.0,
                backoff=Backoff(first=2.0, ceiling=2.0),
            )
        return cls()


@dataclass
class TailState:
    """Everything needed to resume a tail without losing or repeating a line."""

    tokens: dict[str, str | None] = field(default_factory=dict)
    """Each stream's forward token for exact reads (None: from its head)."""
    skip: dict[str, int] = field(default_factory=dict)
    """Events of the page at `tokens[stream]` already emitted (a page emitted in part)."""
    watermark: int | None = None
    """Newest timestamp shown; searches start `overlap_ms` before it."""
    seen_ids: dict[tuple[str, str], int] = field(default_factory=dict)
    from_search: Counter[tuple[str, int, str]] = field(default_factory=Counter)
    """Emitted from `search`, not yet met by the exact read."""
    from_read: Counter[tuple[str, int, str]] = field(default_factory=Counter)
    """Emitted from the exact read while `search` may still return them."""
    emitted: int = 0


@dataclass(frozen=True)
class LogBatch:
    """Lines for one frame, in time order, with the tail's condition."""

    events: list[LogEvent]
    status: str | None = None
    problem: str | None = None
    """Why the tail is not current (throttled, endpoint down), or None when all is well."""
    done: bool = False


@dataclass
class _Page:
    """The unemitted rest of one page of one stream, and the token after it."""

    events: deque[LogEvent]
    next_token: str | None


class LogTailer:
    """Yields `LogBatch`es for one job; see the module docstring for how."""

    def __init__(
        self,
        source: LogSource,
        job: str,
        *,
        follow: bool,
        hosts: int = 1,
        start_ms: int | None = None,
        state: TailState | None = None,
        policy: TailPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        host: str | None = None,
        pattern: str | None = None,
    ) -> None:
        self.source = source
        self.job = job
        self.follow = follow
        self.host = host
        """Only this host's streams (`algo-2`), or every host's."""
        self.hosts = 1 if host else hosts
        self.pattern = pattern or None
        """A CloudWatch filter pattern, or None."""
        self._matcher: FilterPattern | None = None
        """The pattern applied here, when the source cannot search with it."""
        self.start_ms = start_ms
        self.state = state or TailState()
        self.policy = policy or TailPolicy.for_source(source)
        self._sleep = sleep
        self._clock = clock
        self._searchable = True
        self._outbox: list[LogEvent] = []
        """Accepted events not yet yielded: state already counts them, so they must go out."""
        self._outbox_mixed = False
        self._pages: dict[str, _Page] = {}
        self._done: set[str] = set()
        """A read pass that failed resumes: the pages read but not yet all emitted (tokens
        are committed only as events go out) and the streams already caught up."""
        self._search_resume: tuple[tuple[str, ...], int, str] | None = None
        """A search that failed part-way: its streams, start and the next page's token."""
        self._drain_pass: tuple[list[str], set[str], int] | None = None
        """A drain pass under way: its streams, the streams known and lines emitted before."""
        self.status: str | None = None

    # --- exact reads -----------------------------------------------------------------
    async def _read_page(self, stream: str) -> tuple[_Page, bool]:
        """The next page of `stream` after what was emitted; True when caught up."""
        token = self.state.tokens.get(stream)
        # `start_ms` goes with every read, token or not (as the SDK does): some servers apply
        # a token to the list that `startTime` filtered, and repeat lines without it.
        page = await self.source.read(stream, token, self.start_ms)
        caught_up = not page.events and page.next_token == token
        fresh = deque(page.events[self.state.skip.get(stream, 0) :])
        return _Page(fresh, page.next_token), caught_up

    def _emitted_from(self, stream: str, page: _Page, count: int) -> None:
        """Commit progress: the page's token only once all of it has been emitted."""
        if page.events:
            self.state.skip[stream] = self.state.skip.get(stream, 0) + count
        else:
            self.state.tokens[stream] = page.next_token
            self.state.skip.pop(stream, None)

    async def _read_all(self, streams: list[str]) -> AsyncIterator[None]:
        """Read every stream until caught up, accepting merged chunks in time order.

        Yields after each accepted chunk (the events are in the outbox)."""
        pages, done = self._pages, self._done
        while True:
            need = [s for s in streams if s not in done and not (s in pages and pages[s].events)]
            results = await asyncio.gather(
                *(self._read_page(s) for s in need), return_exceptions=True
            )
            failure: BaseException | None = None
            for stream, result in zip(need, results, strict=True):
                if isinstance(result, BaseException):
                    failure = failure or result
                    continue
                page, caught_up = result
                pages[stream] = page
                if caught_up:
                    done.add(stream)
                elif not page.events:
                    self._emitted_from(stream, page, 0)  # an empty page that moved the token
            if failure is not None:
                # The pass resumes from here: with many hosts and steady throttling, a retry
                # that read every stream again would rarely see all the reads succeed. After
                # an outage, though, the streams caught up before it are read again: they may
                # have grown meanwhile, and the others' lines must not pass their new ones.
                if not isinstance(failure, Throttled):
                    done.clear()
                raise failure
            active = [s for s in streams if s not in done]
            if any(not pages[s].events for s in active):
                continue
            limit = min((pages[s].events[-1].timestamp for s in active), default=None)
            chunk: list[LogEvent] = []
            for stream in streams:
                current = pages.get(stream)
                if current is None:
                    continue
                taken = 0
                while current.events and (limit is None or current.events[0].timestamp <= limit):
                    chunk.append(current.events.popleft())
                    taken += 1
                if taken:
                    self._emitted_from(stream, current, taken)
            if chunk:
                # Each stream's run is in order, and the runs were taken in stream-name order:
                # a stable sort by timestamp alone is the full (time, stream, seq) order, and
                # an int key is several times cheaper than a tuple.
                chunk.sort(key=_timestamp)
                self._accept_read(chunk)
                yield None
            if not active and not any(p.events for p in pages.values()):
                done.clear()  # the pass is complete; the next one reads every stream again
                return

    def _accept_read(self, events: list[LogEvent]) -> None:
        state = self.state
        from_search = state.from_search
        if from_search:
            fresh = []
            for event in events:
                key = event.key
                if from_search.get(key, 0) > 0:  # already shown by a search
                    from_search[key] -= 1
                    if not from_search[key]:
                        del from_search[key]
                    continue
                fresh.append(event)
        else:
            fresh = events  # the common case (history, reconciles): nothing to match
        self._send(fresh)
        state.emitted += len(fresh)
        if self._searchable and events:
            # Searches start near the newest line already shown, not from the job's start.
            state.watermark = max(state.watermark or 0, events[-1].timestamp)
            # Only lines a later search may return again need counting: those at or past
            # the floor `_prune` keeps. `fresh` is in time order, so count from its end.
            floor = self._search_floor() or 0
            from_read = state.from_read
            for event in reversed(fresh):
                if event.timestamp < floor:
                    break
                from_read[event.key] += 1
            self._prune()

    # --- searches --------------------------------------------------------------------
    def _search_floor(self) -> int | None:
        if self.state.watermark is None:
            return None
        return self.state.watermark - self.policy.overlap_ms

    async def _search(self, streams: list[str]) -> bool:
        """Search all streams once; False when the source cannot search."""
        floor = self._search_floor()
        start = max(self.start_ms or 0, floor or 0)
        token: str | None = None
        resume, self._search_resume = self._search_resume, None
        if resume is not None and resume[0] == tuple(streams):
            _, start, token = resume  # a search that failed part-way goes on from its page
        found: list[LogEvent] = []
        try:
            for _ in range(self.policy.max_search_pages):
                page = await self.source.search(streams, start, token, self.pattern)
                if page is None:
                    return False
                found += page.events
                token = page.next_token
                if not token:
                    break
        except ServiceError:
            if token is not None:
                self._search_resume = (tuple(streams), start, token)
            raise
        finally:
            self._accept_search(found)  # what came before a failure is kept
        if token and self.pattern is not None:
            # Filtered, the search is the whole tail: the next one goes on from this page.
            self._search_resume = (tuple(streams), start, token)
        return True

    def _accept_search(self, found: list[LogEvent]) -> None:
        state = self.state
        fresh = []
        for event in sorted(found, key=time_order):
            ident = (event.stream, event.event_id or "")
            if ident in state.seen_ids:
                continue
            state.seen_ids[ident] = event.timestamp
            if state.from_read[event.key] > 0:
                state.from_read[event.key] -= 1
                continue
            state.from_search[event.key] += 1
            fresh.append(event)
        self._send(fresh)
        state.emitted += len(fresh)
        if found:
            state.watermark = max(state.watermark or 0, max(e.timestamp for e in found))
            self._prune()

    def _prune(self) -> None:
        floor = self._search_floor()
        if floor is None:
            return
        state = self.state
        state.seen_ids = {k: ts for k, ts in state.seen_ids.items() if ts >= floor}
        state.from_read = Counter(
            {k: n for k, n in state.from_read.items() if k[1] >= floor and n > 0}
        )

    # --- the loop ----------------------------------------------------------------------
    def _batch(self, problem: str | None = None, done: bool = False) -> LogBatch:
        events, self._outbox = self._outbox, []
        if self._outbox_mixed:
            events.sort(key=time_order)
            self._outbox_mixed = False
        return LogBatch(events, self.status, problem, done)

    def _send(self, events: list[LogEvent]) -> None:
        """Into the outbox: `events` are in time order; the outbox is sorted when it goes
        out only if they start before what it holds ends."""
        if self._matcher is not None:
            events = [event for event in events if self._matcher.matches(event.message)]
        outbox = self._outbox
        if outbox and events and time_order(events[0]) < time_order(outbox[-1]):
            self._outbox_mixed = True
        outbox.extend(events)

    async def batches(self) -> AsyncIterator[LogBatch]:
        """The tail: history first, then (when following) live batches until the job ends.

        Retryable failures (throttling, an unreachable endpoint) are reported in a batch's
        `problem` and retried with backoff, forever when following and a few times when
        not; other `ServiceError`s end the tail."""
        if self.pattern is not None:
            async for batch in self._pattern_batches():
                yield batch
            return
        async for batch in self._batches():
            yield batch

    async def _batches(self) -> AsyncIterator[LogBatch]:
        policy = self.policy
        failures = 0
        streams: list[str] | None = None
        while True:  # history, resumed from where a failure stopped it
            try:
                if streams is None:
                    streams = await self._discover()
                async for _ in self._read_all(streams):
                    yield self._batch()
                break
            except ServiceError as exc:
                failures, wait, problem = self._failed(exc, failures)
                yield self._batch(problem)
                await self._sleep(wait)
        if not self.follow:
            yield self._batch(done=True)
            return
        now = self._clock()
        ended = self.status in TERMINAL
        last = {"status": -1e9 if ended else now, "discover": now, "reconcile": now}
        delay = 0.0 if ended else policy.fast
        failures = 0
        while True:
            await self._sleep(delay)
            try:
                # Once the job has ended only the drain is left: a retry after a failure goes
                # straight back to it rather than polling again first.
                ended = self.status in TERMINAL or await self._poll(last)
                if ended:
                    await self._drain()
            except ServiceError as exc:
                failures, delay, problem = self._failed(exc, failures)
                yield self._batch(problem)
                continue
            failures = 0
            if ended:
                yield self._batch(done=True)
                return
            delay = policy.fast if self._outbox else min(policy.slow, max(delay, policy.fast) * 1.5)
            yield self._batch()

    async def _pattern_batches(self) -> AsyncIterator[LogBatch]:
        """With a filter pattern: searches alone (CloudWatch filters), history then polls
        until the job ends and a last search a poll later finds nothing new; or, when the
        source cannot search with it, the exact tail filtered here."""
        policy, failures = self.policy, 0
        streams: list[str] | None = None
        while True:  # the history, every page of it
            try:
                if streams is None:
                    streams = await self._discover()
                if not streams or await self._search_everything(streams):
                    break
            except ServiceError as exc:
                failures, wait, problem = self._failed(exc, failures)
                yield self._batch(problem)
                await self._sleep(wait)
                continue
            self._fall_back()  # the source cannot search with a pattern: filter here
            async for batch in self._batches():
                yield batch
            return
        yield self._batch(done=not self.follow)
        if not self.follow:
            return
        last_discover = last_status = self._clock()
        failures, ended = 0, self.status in TERMINAL
        while True:
            await self._sleep(policy.fast)
            try:
                now = self._clock()
                if now - last_discover >= policy.discover_every or not streams:
                    streams, last_discover = await self._discover(), now
                was_ended = ended
                if not ended and now - last_status >= policy.status_every:
                    self.status, last_status = await self.source.job_status(self.job), now
                ended = self.status in TERMINAL
                before = self.state.emitted
                if streams:
                    await self._search_everything(streams)
            except ServiceError as exc:
                failures, _, problem = self._failed(exc, failures)
                yield self._batch(problem)
                continue
            failures = 0
            done = was_ended and self.state.emitted == before  # a pass after the end, quiet
            yield self._batch(done=done)
            if done:
                return

    async def _search_everything(self, streams: list[str]) -> bool:
        """Search until no page is left (a search stopped at its page cap goes on from its
        token); False when the source cannot search."""
        while True:
            if not await self._search(streams):
                return False
            if self._search_resume is None:
                return True

    def _fall_back(self) -> None:
        """Apply the pattern here (the text forms); a form only CloudWatch knows is bad
        input on this source."""
        assert self.pattern is not None
        try:
            self._matcher = parse(self.pattern)
        except ValueError as exc:
            raise InvalidInput(f"--filter-pattern: {exc}") from None
        self.pattern = None

    def _failed(self, exc: ServiceError, failures: int) -> tuple[int, float, str]:
        """Count a failure: (failures, seconds to wait, what to tell the user).

        Re-raises what retrying cannot fix, and anything after a few tries when not following."""
        failures += 1
        if not exc.retryable or (not self.follow and failures > 5):
            raise exc
        wait = self.policy.backoff.wait(failures)
        return failures, wait, retrying(exc, wait)

    async def _poll(self, last: dict[str, float]) -> bool:
        """One poll; True when the job has ended."""
        policy, now = self.policy, self._clock()
        streams = sorted(self.state.tokens)
        if len(streams) < self.hosts or now - last["discover"] >= policy.discover_every:
            streams = await self._discover()
            last["discover"] = now
        if self._searchable and streams:
            self._searchable = await self._search(streams)
        pending = sum(self.state.from_search.values())
        if (
            not self._searchable
            or now - last["reconcile"] >= policy.reconcile_every
            or pending >= policy.max_pending
        ):
            async for _ in self._read_all(streams):
                pass
            last["reconcile"] = now
        if now - last["status"] >= policy.status_every:
            self.status = await self.source.job_status(self.job)
            last["status"] = now
        return self.status in TERMINAL

    async def _drain(self) -> None:
        """After the job ended: read until a pass, one interval later, finds nothing new."""
        while True:
            if self._drain_pass is None:  # else a pass that failed part-way goes on
                known, before = set(self.state.tokens), self.state.emitted
                self._drain_pass = (await self._discover(), known, before)
            streams, known, before = self._drain_pass
            async for _ in self._read_all(streams):
                pass
            self._drain_pass = None
            if self.state.emitted == before and set(streams) <= known:
                return
            await self._sleep(self.policy.fast)

    async def _discover(self) -> list[str]:
        for stream in await self.source.streams(self.job):
            if self.host is None or host_of(stream) == self.host:
                self.state.tokens.setdefault(stream, None)
        if self.status is None:
            self.status = await self.source.job_status(self.job)
        return sorted(self.state.tokens)


_timestamp = operator.attrgetter("timestamp")
