"""The backend protocol: the async service layer behind every pane and command.

A backend is three services (jobs, logs, storage) with one behaviour on AWS and on the
local runner; the same contract tests run against both. Every method may raise a
`ServiceError` subclass (see `services.errors`) and never blocks the event loop.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from smtui.core.jobs import JobSummary, TrainingJob, Trial
from smtui.core.kinds import TRAINING, Kind
from smtui.core.logevents import LogEvent
from smtui.core.prices import PriceBook, shipped_book


@dataclass(frozen=True)
class JobPage:
    """One page of jobs, newest first, and the token for the next (None at the end)."""

    jobs: list[JobSummary]
    next_token: str | None = None


class JobsService(Protocol):
    """Jobs of every kind (`core/kinds.py`): a method that takes `kind` reads or stops
    that kind's jobs, training jobs when it is not given."""

    def why_not(self, kind: Kind) -> str | None:
        """Why this backend has no jobs of `kind`, in one line (None: it has them)."""
        ...

    async def list_jobs(
        self,
        status: str | None = None,
        name_contains: str | None = None,
        limit: int = 50,
        next_token: str | None = None,
        kind: Kind = TRAINING,
    ) -> JobPage:
        """Up to `limit` jobs matching the filters, newest first, however the server pages."""
        ...

    async def describe_job(self, name: str, kind: Kind = TRAINING) -> TrainingJob:
        """The job's description. Raises `NotFound` when there is no such job."""
        ...

    async def trials(self, tuning_job: str) -> list[Trial]:
        """Every training job the tuning job launched, in the server's order."""
        ...

    async def tags(self, job: TrainingJob) -> dict[str, str]:
        """The job's tags (ListTags on its ARN; the local backend keeps its request's)."""
        ...

    async def check_request(self, request: dict[str, Any]) -> None:
        """Raise `Invalid` (or `InvalidInput`) when this backend can't run the request, so a
        submit stops before it uploads anything; `create_job` checks the same."""
        ...

    async def create_job(self, request: dict[str, Any]) -> str:
        """Create a training job from CreateTrainingJob keyword arguments; returns its ARN."""
        ...

    async def stop_job(self, name: str, kind: Kind = TRAINING) -> None:
        """Ask the job to stop. Raises `NotFound`, or `Invalid` when it already ended."""
        ...

    async def keep_warm_pool(self, name: str, seconds: int) -> None:
        """Keep the job's warm pool `seconds` more after its last use (UpdateTrainingJob's
        `ResourceConfig.KeepAlivePeriodInSeconds`); 0 releases it."""
        ...

    async def enable_remote_debug(self, name: str) -> None:
        """Turn on the running job's RemoteDebugConfig (UpdateTrainingJob), so an SSM
        session can reach its hosts. Raises `Invalid` where it cannot be."""
        ...


@dataclass(frozen=True)
class EventPage:
    events: list[LogEvent]
    next_token: str | None


class LogSource(Protocol):
    """Where a job's log streams are read from (CloudWatch, or local files)."""

    cheap: bool
    """Whether calls cost nothing worth counting (local files): the tailer then polls often."""

    async def streams(self, job: str) -> list[str]:
        """Every log stream of the job (all pages), sorted by name; [] before any exists."""
        ...

    async def read(self, stream: str, token: str | None, start_ms: int | None) -> EventPage:
        """The next events of one stream after `token` (None: from its head), none older
        than `start_ms`. The returned token equals the one given when caught up."""
        ...

    async def last(self, stream: str, limit: int) -> list[LogEvent]:
        """The newest events of one stream (at most `limit`, oldest first): one call, so a
        finished job opens at its end however long its log is."""
        ...

    async def search(
        self, streams: list[str], start_ms: int, token: str | None, pattern: str | None = None
    ) -> EventPage | None:
        """Events of several streams from `start_ms` (one page; FilterLogEvents), each with an
        `event_id`, only those matching `pattern` (a CloudWatch filter pattern) when given;
        None when the source cannot search, in which case `read` is used alone."""
        ...

    async def job_status(self, job: str) -> str:
        """The job's TrainingJobStatus."""
        ...


class MetricsService(Protocol):
    """Instance metrics per host (`core/hostmetrics.py`): CloudWatch's on aws, the local
    sampler's on the local backend, both answered in GetMetricData's shape."""

    period: int
    """Seconds between points: SageMaker's 60, the local sampler's few."""

    async def host_metrics(
        self, job: str, hosts: int, start: dt.datetime, end: dt.datetime
    ) -> list[dict[str, Any]]:
        """GetMetricData's `MetricDataResults` for every metric of every host of `job` from
        `start` to `end` (one request on aws, its pages joined)."""
        ...


class PricingService(Protocol):
    """The region's training prices (`services/pricing.py`)."""

    async def price_book(self, refresh: bool = False) -> PriceBook:
        """The region's book: fetched, kept, or the shipped table saying why. Never raises:
        a price that cannot be read falls back to the shipped table."""
        ...


@dataclass(frozen=True)
class S3Object:
    key: str
    size: int
    modified: dt.datetime
    etag: str = ""


@dataclass(frozen=True)
class Listing:
    """One level of a prefix: sub-folders first (as full prefixes), then objects."""

    folders: list[str]
    objects: list[S3Object]
    next_token: str | None = None


@dataclass
class TransferProgress:
    """Bytes and files done so far, updated from transfer threads and read by the UI."""

    total_bytes: int = 0
    total_files: int = 0
    done_bytes: int = 0
    done_files: int = 0
    failed: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, nbytes: int = 0, files: int = 0, failed: str | None = None) -> None:
        """Record progress; safe to call from any thread."""
        with self._lock:
            self.done_bytes += nbytes
            self.done_files += files
            if failed is not None:
                self.failed.append(failed)


class StorageService(Protocol):
    async def list_prefix(self, uri: str, token: str | None = None, limit: int = 1000) -> Listing:
        """One level under `uri` (an `s3://bucket/prefix/` URI)."""
        ...

    async def list_all(self, uri: str) -> list[S3Object]:
        """Every object under `uri`, recursively (keys are full keys)."""
        ...

    async def ensure_bucket(self, bucket: str, region: str | None) -> bool:
        """Create the bucket only when it is certainly missing (404, never on 403).
        Returns whether it was created."""
        ...

    async def put_bytes(self, uri: str, data: bytes) -> None: ...

    async def read_bytes(self, uri: str) -> bytes:
        """The object's content. Raises `NotFound`."""
        ...

    async def upload_files(
        self, pairs: list[tuple[Path, str]], progress: TransferProgress | None = None
    ) -> None:
        """Upload local files to URIs in parallel, updating `progress` as bytes go."""
        ...

    async def delete_objects(self, uris: list[str]) -> None: ...

    async def download(
        self, uri: str, dest: Path, progress: TransferProgress | None = None
    ) -> None:
        """Fetch one object to a local file. Raises `NotFound`."""
        ...


@dataclass(frozen=True)
class BackendSettings:
    """What the command line, environment and config say about where to connect."""

    name: str = "aws"
    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    readonly: bool = False
    """Read-only mode: the backend refuses every call that would change the account."""


@dataclass
class Backend:
    """One backend: its services and how to describe it in a status bar."""

    name: str
    jobs: JobsService
    logs: LogSource
    storage: StorageService
    where: str = ""
    """`profile · region` or the local home, for headers and messages."""
    readonly: bool = False
    """Read-only mode: every mutating call is refused (`services/readonly.py`)."""
    settings: BackendSettings | None = None
    """What it was built from (`make_backend`): the app builds the same backend for another
    profile or region from it."""
    metrics: MetricsService | None = None
    """Instance metrics per host (None: this backend has none)."""
    kind_logs: dict[str, LogSource] = field(default_factory=dict)
    """The log sources of the kinds other than training that write logs (processing)."""
    pricing: PricingService | None = None
    """Where the region's prices are read (None: the shipped table is the truth here)."""
    prices: PriceBook = field(default_factory=shipped_book)
    """The prices every cost is computed at: the shipped table until `load_prices` reads
    the region's."""

    def logs_of(self, kind: Kind) -> LogSource | None:
        """Where `kind`'s jobs log (None: the kind writes no log of its own, or not here)."""
        return self.logs if kind is TRAINING else self.kind_logs.get(kind.key)

    def prefetch(self) -> None:
        """Start what the TUI's first frame shows (the aws backend's first page of jobs, in
        a process of its own), before the app is imported."""
        ahead = getattr(self.jobs, "prefetch", None)  # not part of the protocol: optional
        if callable(ahead):
            ahead()
