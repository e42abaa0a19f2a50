"""`JobList`: the jobs pane's model, without Textual.

It holds what the listing and the descriptions said, and decides: which rows a page adds,
changes or removes, which jobs need describing, where the cursor should go, and when to
list again. The pane only draws what it says; its tests run without an app.

ListTrainingJobs gives name, status and times; the instance type and count (and so the
cost) need DescribeTrainingJob. A job is described once, and again only when its
LastModifiedTime or status moves, so a quiet account costs one list call per refresh.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from smtui.core.backoff import Backoff, retrying
from smtui.core.jobs import TERMINAL, JobSummary, TrainingJob
from smtui.core.prices import PriceBook, shipped_book
from smtui.services.backend import Backend, JobPage


@dataclass(frozen=True)
class RefreshPolicy:
    """Seconds between list calls: quick while something moves, slow when all is quiet.

    On AWS a busy refresh is one ListTrainingJobs every 5 s plus a DescribeTrainingJob per
    job that changed: well inside SageMaker's per-account rates."""

    busy: float = 5.0
    idle: float = 30.0
    backoff: Backoff = Backoff(first=5.0, ceiling=60.0)
    describe_at_once: int = 8

    @classmethod
    def for_backend(cls, backend: Backend) -> RefreshPolicy:
        if backend.logs.cheap:  # local files: nothing to save by waiting
            return cls(busy=1.0, idle=5.0, backoff=Backoff(first=1.0, ceiling=10.0))
        return cls()


SORTS = ("name", "status", "created", "elapsed", "cost")
"""What the jobs can be sorted by."""
BIGGEST_FIRST = frozenset({"created", "elapsed", "cost"})
"""Sorts whose first press puts the biggest (newest, longest, dearest) first."""
ACTIVE_FIRST = ("InProgress", "Stopping", "Failed", "Stopped", "Completed")
"""The status sort's order: what needs an eye first."""


@dataclass
class PageChange:
    """What a page did to the rows."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    ended: list[str] = field(default_factory=list)
    """Listed jobs that were running at the last list and have ended since."""


class JobList:
    """The listed jobs (newest first), their descriptions, the next page's token, and the
    refresh cadence. The cursor's row stays the truth for actions: the model only keeps a
    job to put the cursor on once it is listed (a new submit)."""

    def __init__(
        self, policy: RefreshPolicy | None = None, prices: Callable[[], PriceBook] = shipped_book
    ) -> None:
        self.policy = policy or RefreshPolicy()
        self.prices = prices
        """The prices costs are sorted at: the backend's, as they are now."""
        self.summaries: dict[str, JobSummary] = {}
        self.details: dict[str, TrainingJob] = {}
        self.next_token: str | None = None
        self.listed = False
        """Whether a list has come back since the filters last changed (empty means empty)."""
        self.wanted: str | None = None
        """A job to put the cursor on as soon as it is listed."""
        self.failures = 0
        self.sort = "created"
        """The sort: one of `SORTS`."""
        self.descending = True
        self.marked: set[str] = set()
        """Jobs marked for a bulk action (listed ones only: a filter change clears them)."""

    def __len__(self) -> int:
        return len(self.summaries)

    def __contains__(self, name: object) -> bool:
        return name in self.summaries

    @property
    def more(self) -> bool:
        """Whether older jobs wait on a next page."""
        return self.next_token is not None

    def reset(self) -> None:
        """The filters changed: start again from the first page (descriptions are kept)."""
        self.summaries.clear()
        self.marked.clear()
        self.next_token = None
        self.listed = False

    def apply(self, page: JobPage, *, first: bool) -> PageChange:
        """Take a page: the first one of a refresh (`first`), or an older one."""
        change = PageChange()
        names = {job.name for job in page.jobs}
        if first:
            self.listed = True
            keep = names | {n for n, j in self.summaries.items() if _older_than(j, page)}
            change.removed = [name for name in self.summaries if name not in keep]
            for name in change.removed:
                del self.summaries[name]
                self.marked.discard(name)
            if not self.summaries.keys() - names:
                self.next_token = page.next_token
            # else rows paged in below the first page stay, and so does the token after
            # them (None: the list was read to its end, and a refresh must not undo that)
        else:
            self.next_token = page.next_token
        for job in page.jobs:
            before = self.summaries.get(job.name)
            (change.updated if before else change.added).append(job.name)
            if before and before.status not in TERMINAL and job.status in TERMINAL:
                change.ended.append(job.name)
            self.summaries[job.name] = job
        return change

    def order(self, now: dt.datetime | None = None) -> list[str]:
        """The listed names in the sort's order."""
        return sorted(
            self.summaries, key=lambda name: self.sort_key(name, now), reverse=self.descending
        )

    def sort_by(self, sort: str) -> None:
        """Sort by `sort`; the same sort again reverses it."""
        if sort not in SORTS:
            raise ValueError(f"cannot sort by {sort!r}: one of {', '.join(SORTS)}")
        if sort == self.sort:
            self.descending = not self.descending
        else:
            self.sort, self.descending = sort, sort in BIGGEST_FIRST

    def sort_key(self, name: str, now: dt.datetime | None = None) -> tuple[object, ...]:
        """`name`'s place in the sort (ties: by creation time, then name). A job whose
        elapsed time or cost is not known yet (not described, no price) goes last either
        way."""
        summary = self.summaries[name]
        job = self.details.get(name)
        value: object
        if self.sort == "name":
            value = name
        elif self.sort == "status":
            known = summary.status in ACTIVE_FIRST
            value = ACTIVE_FIRST.index(summary.status) if known else len(ACTIVE_FIRST)
        elif self.sort == "created":
            value = summary.created
        elif self.sort == "elapsed":
            value = job.elapsed(now) if job else None
        else:
            value = job.cost(now, self.prices()) if job else None
        tie = (summary.created, name)
        if value is None:
            return (0 if self.descending else 1, 0, tie)
        return (1 if self.descending else 0, value, tie)

    def toggle_mark(self, name: str) -> bool:
        """Mark `name` (a listed job), or unmark it; whether it is marked now."""
        if name in self.marked:
            self.marked.discard(name)
            return False
        if name in self.summaries:
            self.marked.add(name)
            return True
        return False

    def marked_in_order(self, now: dt.datetime | None = None) -> list[str]:
        """The marked jobs, as the table lists them."""
        return [name for name in self.order(now) if name in self.marked]

    def stale(self, jobs: list[JobSummary]) -> list[str]:
        """The jobs of a page whose description is missing or out of date."""
        details = self.details
        return [
            job.name
            for job in jobs
            if job.name not in details
            or details[job.name].raw.get("LastModifiedTime") != job.raw.get("LastModifiedTime")
            or details[job.name].status != job.status
        ]

    def described(self, job: TrainingJob) -> bool:
        """Keep a description; whether its job is listed (has a row to update)."""
        self.details[job.name] = job
        return job.name in self.summaries

    @property
    def settled(self) -> bool:
        """Whether a list is in and each listed running job described (others read the
        descriptions from here rather than asking again)."""
        return self.listed and all(
            name in self.details
            for name, job in self.summaries.items()
            if job.status not in TERMINAL
        )

    def moving(self) -> list[str]:
        """Listed jobs whose elapsed time and cost move every second."""
        return [n for n, j in self.details.items() if not j.is_terminal and n in self.summaries]

    def take_wanted(self) -> str | None:
        """The job to put the cursor on now, once it is listed."""
        if self.wanted in self.summaries:
            name, self.wanted = self.wanted, None
            return name
        return None

    def status_of(self, name: str) -> str | None:
        summary = self.summaries.get(name)
        return summary.status if summary else None

    @property
    def busy(self) -> bool:
        """Whether any listed job is still moving."""
        return any(j.status in ("InProgress", "Stopping") for j in self.summaries.values())

    def succeeded(self) -> float:
        """A refresh worked: seconds until the next."""
        self.failures = 0
        return self.policy.busy if self.busy else self.policy.idle

    def failed(self, problem: object) -> tuple[float, str]:
        """A refresh failed: seconds until the next try, and what to tell the user."""
        self.failures += 1
        wait = self.policy.backoff.wait(self.failures)
        return wait, retrying(problem, wait)


def _older_than(job: JobSummary, page: JobPage) -> bool:
    """Rows loaded by paging stay while the first page does not reach them."""
    if not page.jobs or page.next_token is None:
        return False
    return job.created < page.jobs[-1].created
