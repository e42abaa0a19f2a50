"""What the account's training jobs cost: each job's bill since a time (`smtui cost`), and
the jobs running now with their rate (the TUI's header).

Descriptions come from where they already are before a call is made: the disk's kept
descriptions of settled jobs (`described.py`), the jobs pane's, or earlier calls.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from smtui.core.costs import JobCost, group_key, job_cost
from smtui.core.jobs import JobSummary, TrainingJob
from smtui.core.prices import PriceBook
from smtui.services.backend import Backend
from smtui.services.described import DescribedCache
from smtui.services.pricing import load_prices

AT_ONCE = 8
"""Descriptions asked at the same time."""
MAX_PAGES = 50
"""Pages of running jobs read at most (5,000 jobs: more than any account's limits run)."""


@dataclass(frozen=True)
class Billed:
    """One job, its bill, and the group it is counted in."""

    job: TrainingJob
    cost: JobCost
    group: str


async def jobs_since(backend: Backend, since: dt.datetime) -> list[JobSummary]:
    """Every training job created at or after `since` (the list is newest first)."""
    found: list[JobSummary] = []
    token: str | None = None
    while True:
        page = await backend.jobs.list_jobs(limit=100, next_token=token)
        fresh = [job for job in page.jobs if job.created >= since]
        found += fresh
        token = page.next_token
        if token is None or len(fresh) < len(page.jobs):
            return found


async def _read(
    backend: Backend, summary: JobSummary, cache: DescribedCache, by: str, refresh: bool
) -> tuple[TrainingJob, dict[str, str] | None]:
    """`summary`'s description (and tags, grouping by one): kept, else asked and kept."""
    kept = None if refresh else cache.get(summary)
    job, tags = kept if kept else (await backend.jobs.describe_job(summary.name), None)
    if by.startswith("tag:") and tags is None:
        tags = await backend.jobs.tags(job)
    if kept is None or kept[1] != tags:
        cache.put(summary, job, tags)
    return job, tags


async def bills(
    backend: Backend, since: dt.datetime, by: str, refresh: bool = False
) -> tuple[PriceBook, list[Billed]]:
    """The price book, and each job created since `since` with its bill and its group
    (`by`: config, instance or tag:KEY). `refresh`: nothing kept is used."""
    book, listed = await asyncio.gather(load_prices(backend, refresh), jobs_since(backend, since))
    cache = DescribedCache(backend.where)
    gate = asyncio.Semaphore(AT_ONCE)
    now = dt.datetime.now(dt.UTC)

    async def bill(summary: JobSummary) -> Billed:
        async with gate:
            job, tags = await _read(backend, summary, cache, by, refresh)
        return Billed(job, job_cost(job, book, now), group_key(by, job, tags))

    return book, list(await asyncio.gather(*(bill(s) for s in listed)))


async def running_jobs(
    backend: Backend, known: Mapping[str, TrainingJob], kept: dict[str, TrainingJob]
) -> list[TrainingJob]:
    """Every training job InProgress, described: from `known` (the jobs pane's), else
    `kept` (descriptions asked earlier, which this fills), else DescribeTrainingJob. A
    running job's instances do not change, so one description serves while it runs."""
    listed: list[JobSummary] = []
    token: str | None = None
    for _ in range(MAX_PAGES):
        page = await backend.jobs.list_jobs(status="InProgress", limit=100, next_token=token)
        listed += page.jobs
        token = page.next_token
        if token is None:
            break
    names = {job.name for job in listed}
    for name in list(kept):
        if name not in names:
            del kept[name]  # ended: the next run of it is another job
    gate = asyncio.Semaphore(AT_ONCE)

    async def described(name: str) -> TrainingJob:
        if (job := known.get(name) or kept.get(name)) is not None:
            return job
        async with gate:
            job = await backend.jobs.describe_job(name)
        kept[name] = job
        return job

    return list(await asyncio.gather(*(described(job.name) for job in listed)))
