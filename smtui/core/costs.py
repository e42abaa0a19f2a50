"""What jobs cost, what they may cost, and what spot saved: the arithmetic, from a
`PriceBook` and described jobs.

SageMaker bills a training job's `BillableTimeInSeconds` on every instance, and a warm
pool's `ResourceRetainedBillableTimeInSeconds` after it (both are wall-clock seconds, to
be multiplied by the instance count, as the API reference says). A job still running has
no billable time yet: it is billed from `TrainingStartTime` until now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from smtui.core.clone import base_name
from smtui.core.errors import Problem
from smtui.core.formats import money
from smtui.core.jobs import TrainingJob
from smtui.core.prices import PriceBook, spot_range
from smtui.core.spec import JobSpec

GROUPINGS = ("config", "instance")
"""What `smtui cost --by` groups by, besides `tag:KEY`."""


@dataclass(frozen=True)
class JobCost:
    """One job's bill: its rate, the seconds billed, and what they came to."""

    name: str
    status: str
    created: dt.datetime
    instances: str
    """`ml.g5.xlarge ×2` (instance groups joined by `+`)."""
    hosts: int
    """Instances in all its groups."""
    rate: float | None
    """USD an hour for all the job's instances (None: no price for one of them)."""
    billed_seconds: int
    """Wall-clock seconds billed on each instance (until now, while it runs)."""
    retained_seconds: int
    """The warm pool's billed seconds after the job."""
    saved_seconds: int
    """Spot: training seconds that were not billed."""
    use_spot: bool
    running: bool

    def _dollars(self, seconds: int) -> float | None:
        return None if self.rate is None else self.rate * seconds / 3600

    @property
    def compute(self) -> float | None:
        return self._dollars(self.billed_seconds)

    @property
    def retained(self) -> float | None:
        return self._dollars(self.retained_seconds)

    @property
    def spot_saved(self) -> float | None:
        return self._dollars(self.saved_seconds)

    @property
    def total(self) -> float | None:
        return self._dollars(self.billed_seconds + self.retained_seconds)


def instances_label(job: TrainingJob) -> str:
    return " + ".join(f"{kind} ×{count}" for kind, count in job.instance_groups)


def job_cost(job: TrainingJob, book: PriceBook, now: dt.datetime | None = None) -> JobCost:
    """`job`'s bill at `book`'s prices."""
    return JobCost(
        name=job.name,
        status=job.status,
        created=job.created,
        instances=instances_label(job),
        hosts=sum(count for _, count in job.instance_groups),
        rate=book.rate(job.instance_groups),
        billed_seconds=job.billed_seconds(now),
        retained_seconds=job.retained_seconds,
        saved_seconds=job.unbilled_seconds,
        use_spot=job.use_spot,
        running=not job.is_terminal,
    )


def group_key(by: str, job: TrainingJob, tags: Mapping[str, str] | None = None) -> str:
    """The group `job` falls in: its config (the name without the submit's timestamp), its
    instances, or its tag `KEY`'s value (`tag:KEY`)."""
    if by == "config":
        return base_name(job.name)
    if by == "instance":
        return instances_label(job)
    key = by.removeprefix("tag:")
    value = (tags or {}).get(key)
    return value if value is not None else f"(no {key} tag)"


def check_grouping(by: str) -> str:
    """`by` if `smtui cost --by` can group by it, else ValueError saying what can."""
    if by in GROUPINGS or (by.startswith("tag:") and by != "tag:"):
        return by
    raise ValueError(f"cannot group by '{by}': config, instance or tag:KEY")


@dataclass
class CostTotal:
    """The sum of some jobs' bills."""

    label: str
    jobs: int = 0
    instance_hours: float = 0.0
    compute: float = 0.0
    retained: float = 0.0
    spot_saved: float = 0.0
    unpriced: int = 0
    """Jobs left out of the money: no price for their instances."""

    @property
    def total(self) -> float:
        return self.compute + self.retained

    def add(self, cost: JobCost) -> None:
        self.jobs += 1
        self.instance_hours += (cost.billed_seconds + cost.retained_seconds) * cost.hosts / 3600
        if cost.rate is None:
            self.unpriced += 1
            return
        self.compute += cost.compute or 0.0
        self.retained += cost.retained or 0.0
        self.spot_saved += cost.spot_saved or 0.0


def totals(rows: Iterable[tuple[JobCost, str]]) -> tuple[list[CostTotal], CostTotal]:
    """Each group's total, dearest first, and the total of all: `rows` are (a bill, its
    group)."""
    groups: dict[str, CostTotal] = {}
    overall = CostTotal("total")
    for cost, group in rows:
        groups.setdefault(group, CostTotal(group)).add(cost)
        overall.add(cost)
    ordered = sorted(groups.values(), key=lambda t: (-t.total, t.label))
    return ordered, overall


def running_rate(jobs: Iterable[TrainingJob], book: PriceBook) -> tuple[int, float, int]:
    """For the jobs still running: how many, their USD an hour together, and how many of
    them have no price (left out of the sum)."""
    count, rate, unpriced = 0, 0.0, 0
    for job in jobs:
        if job.is_terminal:
            continue
        count += 1
        hourly = book.rate(job.instance_groups)
        if hourly is None:
            unpriced += 1
        else:
            rate += hourly
    return count, rate, unpriced


@dataclass(frozen=True)
class CostBound:
    """What a job may cost at most: on demand, and the spot range."""

    instances: str
    """`2 × ml.p4d.24xlarge` (instance groups joined by `+`)."""
    max_run: int
    """Its max runtime, seconds."""
    hourly: float
    """USD an hour for all its instances."""
    most: float
    """Its whole max runtime on every instance, on demand."""
    spot: tuple[float, float]
    source: str
    """`book.caveat`: empty when the prices are the region's."""

    def said(self, use_spot: bool) -> str:
        """`$4.06/h on demand; at most $97.44 if it runs its whole max runtime; with spot
        $9.74-$97.44`, as the form and `--dry-run` say it."""
        low, high = self.spot
        spot = f"{money(low)}-{money(high)}"
        return (
            f"{money(self.hourly)}/h on demand; at most {money(self.most)} if it runs its "
            f"whole max runtime; {'on spot' if use_spot else 'with spot'} {spot}{self.source}"
        )


def bound_of(groups: Sequence[tuple[str, int]], max_run: int, book: PriceBook) -> CostBound | None:
    """The most instance groups `(type, count)` can cost in `max_run` seconds (None: no
    price for one of them). A spot job's billable time is bounded by its max runtime too."""
    hourly = book.rate(groups)
    if hourly is None:
        return None
    most = hourly * max_run / 3600
    instances = " + ".join(f"{count} × {kind}" for kind, count in groups)
    return CostBound(instances, max_run, hourly, most, spot_range(most), book.caveat)


def cost_bound(spec: JobSpec, book: PriceBook) -> CostBound | None:
    """The most a job from `spec` can cost."""
    return bound_of([(spec.instance_type, spec.instance_count)], spec.max_run_seconds, book)


def request_bound(request: Mapping[str, Any], book: PriceBook) -> CostBound | None:
    """The most the job CreateTrainingJob `request` asks for can cost."""
    resources = request.get("ResourceConfig", {})
    groups = [(str(g["InstanceType"]), int(g["InstanceCount"]))
              for g in resources.get("InstanceGroups") or []]  # fmt: skip
    if not groups:
        groups = [(str(resources.get("InstanceType", "")), int(resources.get("InstanceCount", 1)))]
    max_run = int(request.get("StoppingCondition", {}).get("MaxRuntimeInSeconds", 86400))
    return bound_of(groups, max_run, book)


def over_limit(
    limit: float, bound: CostBound | None, instances: str, book: PriceBook
) -> str | None:
    """Why a job bounded by `bound` must not be sent under a `max-cost` of `limit` (None:
    it may be): it could cost more, or there is no price to judge by."""
    if bound is None:
        return (f"{instances} has no price in {book.region}{book.caveat}, so smtui cannot "
                f"tell that the job stays under {money(limit)}")  # fmt: skip
    if bound.most > limit:
        return (
            f"the job may cost {money(bound.most)} ({bound.instances} at "
            f"{money(bound.hourly)}/h for its max runtime of {bound.max_run} s), over "
            f"max-cost {money(limit)}{book.caveat}; lower max-run-seconds or instance-count, "
            "or raise max-cost"
        )
    return None


def max_cost_problem(spec: JobSpec, book: PriceBook) -> Problem | None:
    """Why `spec` must not be submitted under its `max-cost` (None: it may be), located on
    the key."""
    if spec.max_cost is None:
        return None
    why = over_limit(spec.max_cost, cost_bound(spec, book), spec.instance_type, book)
    if why is None:
        return None
    origin = spec.origin("max_cost")
    return Problem(why, "submit.max-cost", origin.file, origin.line)


def running_said(count: int, rate: float, unpriced: int, book: PriceBook) -> str:
    """The header's words: `3 running · $41.06/h`, with the jobs that have no price and
    whose prices these are when not the region's."""
    if not count:
        return "no job running"
    said = f"{count} running · {money(rate)}/h"
    if unpriced:
        said += f" + {unpriced} with no price"
    return said + book.brief_caveat
