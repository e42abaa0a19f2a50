"""Jobs as smtui shows them, read from SageMaker's response shapes.

Both backends produce DescribeTrainingJob- and ListTrainingJobs-shaped dicts; these models
read them, so the panes and the CLI never index raw responses themselves. Tuning and
processing jobs (`core/kinds.py`) are read into the same two models: what a kind lacks
(a processing job's hyperparameters, a tuning job's start) is empty, and `raw` keeps the
kind's own response for its details.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from smtui.core.hyperparams import plain_value
from smtui.core.kinds import PROCESSING, TRAINING, TUNING, Kind
from smtui.core.prices import PriceBook, shipped_book

TERMINAL = frozenset({"Completed", "Failed", "Stopped"})
STATUSES = ("InProgress", "Completed", "Failed", "Stopping", "Stopped")


def parse_time(value: Any) -> dt.datetime | None:
    """A time as the API (a datetime), JSON (ISO 8601) or epoch seconds give it, in UTC
    when it says no zone; None stays None."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, int | float):
        return dt.datetime.fromtimestamp(value, dt.UTC)
    return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _channels(item: dict[str, Any]) -> dict[str, str]:
    """Each channel's S3 URI, from a request's (or a tuning definition's) InputDataConfig."""
    return {
        c["ChannelName"]: c.get("DataSource", {}).get("S3DataSource", {}).get("S3Uri", "")
        for c in item.get("InputDataConfig", [])
    }


def parse_status(value: str) -> str:
    """A status as SageMaker spells it (`inprogress` → `InProgress`), else ValueError."""
    for status in STATUSES:
        if value.lower() == status.lower():
            return status
    raise ValueError(f"unknown status '{value}'; use one of {', '.join(STATUSES)}")


def tuning_progress(item: dict[str, Any]) -> str | None:
    """A tuning job's training jobs so far, from its counters and limits: `12/50 done,
    4 running` (None when the response has no counters)."""
    counters = item.get("TrainingJobStatusCounters")
    if not counters:
        return None
    done = sum(int(counters.get(k, 0)) for k in ("Completed", "Stopped", "NonRetryableError"))
    limits = item.get("ResourceLimits") or item.get("HyperParameterTuningJobConfig", {}).get(
        "ResourceLimits", {}
    )
    most = limits.get("MaxNumberOfTrainingJobs")
    text = f"{done}/{most} done" if most else f"{done} done"
    running = int(counters.get("InProgress", 0))
    return text + (f", {running} running" if running else "")


@dataclass(frozen=True)
class JobSummary:
    """One row of a list call (ListTrainingJobs, or its kind's)."""

    name: str
    status: str
    created: dt.datetime
    ended: dt.datetime | None = None
    modified: dt.datetime | None = None
    secondary_status: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    kind: Kind = TRAINING

    @classmethod
    def from_api(cls, item: dict[str, Any], kind: Kind = TRAINING) -> JobSummary:
        created = parse_time(item["CreationTime"])
        assert created is not None
        secondary = item.get("SecondaryStatus")
        if kind is TUNING:
            secondary = tuning_progress(item)
        return cls(
            name=item[kind.name_key],
            status=item[kind.status_key],
            created=created,
            ended=parse_time(item.get(kind.end_key)),
            modified=parse_time(item.get("LastModifiedTime")),
            secondary_status=secondary,
            raw=item,
            kind=kind,
        )


@dataclass(frozen=True)
class StatusTransition:
    status: str
    start: dt.datetime
    end: dt.datetime | None
    message: str


@dataclass(frozen=True)
class TrainingJob:
    """A described job: everything the details view and the cost column need. A tuning or
    processing job is read into it too (`kind`); `raw` is then that kind's response."""

    name: str
    status: str
    secondary_status: str | None
    instance_type: str
    instance_count: int
    created: dt.datetime
    started: dt.datetime | None
    ended: dt.datetime | None
    failure_reason: str | None
    hyperparameters: dict[str, str]
    channels: dict[str, str]
    model_artifacts: str | None
    output_path: str | None
    billable_seconds: int | None
    training_seconds: int | None
    use_spot: bool
    transitions: tuple[StatusTransition, ...]
    raw: dict[str, Any] = field(compare=False, repr=False)
    kind: Kind = TRAINING

    @property
    def params(self) -> dict[str, str]:
        """The hyperparameters with values as written (script mode's JSON strings decoded)."""
        return {k: plain_value(v) for k, v in self.hyperparameters.items()}

    @classmethod
    def from_api(cls, item: dict[str, Any], kind: Kind = TRAINING) -> TrainingJob:
        """The job `item` (its kind's Describe… response) describes."""
        if kind is PROCESSING:
            return cls._from_processing(item)
        if kind is TUNING:
            return cls._from_tuning(item)
        resources = item.get("ResourceConfig", {})
        channels = _channels(item)
        created = parse_time(item["CreationTime"])
        assert created is not None
        return cls(
            name=item["TrainingJobName"],
            status=item["TrainingJobStatus"],
            secondary_status=item.get("SecondaryStatus"),
            instance_type=resources.get("InstanceType", ""),
            instance_count=int(resources.get("InstanceCount", 1)),
            created=created,
            started=parse_time(item.get("TrainingStartTime")),
            ended=parse_time(item.get("TrainingEndTime")),
            failure_reason=item.get("FailureReason"),
            hyperparameters=dict(item.get("HyperParameters", {})),
            channels=channels,
            model_artifacts=item.get("ModelArtifacts", {}).get("S3ModelArtifacts"),
            output_path=item.get("OutputDataConfig", {}).get("S3OutputPath"),
            billable_seconds=item.get("BillableTimeInSeconds"),
            training_seconds=item.get("TrainingTimeInSeconds"),
            use_spot=bool(item.get("EnableManagedSpotTraining", False)),
            transitions=tuple(
                StatusTransition(
                    t["Status"],
                    parse_time(t["StartTime"]) or created,
                    parse_time(t.get("EndTime")),
                    t.get("StatusMessage", ""),
                )
                for t in item.get("SecondaryStatusTransitions", [])
            ),
            raw=item,
        )

    @classmethod
    def _from_processing(cls, item: dict[str, Any]) -> TrainingJob:
        cluster = item.get("ProcessingResources", {}).get("ClusterConfig", {})
        created = parse_time(item["CreationTime"])
        assert created is not None
        inputs = {
            str(i.get("InputName", "")): i.get("S3Input", {}).get("S3Uri", "")
            for i in item.get("ProcessingInputs", [])
        }
        return cls(
            name=item["ProcessingJobName"],
            status=item["ProcessingJobStatus"],
            secondary_status=None,
            instance_type=cluster.get("InstanceType", ""),
            instance_count=int(cluster.get("InstanceCount", 1)),
            created=created,
            started=parse_time(item.get("ProcessingStartTime")),
            ended=parse_time(item.get("ProcessingEndTime")),
            failure_reason=item.get("FailureReason"),
            hyperparameters={},
            channels=inputs,
            model_artifacts=None,
            output_path=None,
            billable_seconds=None,
            training_seconds=None,
            use_spot=False,
            transitions=(),
            raw=item,
            kind=PROCESSING,
        )

    @classmethod
    def _from_tuning(cls, item: dict[str, Any]) -> TrainingJob:
        definition = tuning_definition(item)
        resources = definition.get("ResourceConfig", {})
        created = parse_time(item["CreationTime"])
        assert created is not None
        return cls(
            name=item["HyperParameterTuningJobName"],
            status=item["HyperParameterTuningJobStatus"],
            secondary_status=tuning_progress(item),
            instance_type=resources.get("InstanceType", ""),
            instance_count=int(resources.get("InstanceCount", 1)),
            created=created,
            started=None,
            ended=parse_time(item.get("HyperParameterTuningEndTime")),
            failure_reason=item.get("FailureReason"),
            hyperparameters=dict(definition.get("StaticHyperParameters", {})),
            channels=_channels(definition),
            model_artifacts=None,
            output_path=definition.get("OutputDataConfig", {}).get("S3OutputPath"),
            billable_seconds=None,
            training_seconds=None,
            use_spot=bool(definition.get("EnableManagedSpotTraining", False)),
            transitions=(),
            raw=item,
            kind=TUNING,
        )

    @property
    def arn(self) -> str:
        return str(self.raw.get(self.kind.arn_key, ""))

    @property
    def tuning_job(self) -> str | None:
        """The tuning job that launched this training job (from its TuningJobArn)."""
        arn = str(self.raw.get("TuningJobArn") or "")
        return arn.rpartition("/")[2] or None

    @property
    def role_arn(self) -> str:
        """The execution role (a tuning job's: its training job definition's)."""
        raw = tuning_definition(self.raw) if self.kind is TUNING else self.raw
        return str(raw.get("RoleArn", ""))

    @property
    def image(self) -> str:
        """The training image's URI (a built-in algorithm's name when there is none)."""
        if self.kind is PROCESSING:
            return str(self.raw.get("AppSpecification", {}).get("ImageUri", ""))
        raw = tuning_definition(self.raw) if self.kind is TUNING else self.raw
        spec = raw.get("AlgorithmSpecification", {})
        return str(spec.get("TrainingImage") or spec.get("AlgorithmName") or "")

    def warm_pool(self) -> str:
        """The warm pool as the console says it: `Available until 14:05` (local time),
        `InUse`, `Reused by JOB`, `Terminated`; empty when the job kept none."""
        pool = self.raw.get("WarmPoolStatus") or {}
        status = str(pool.get("Status", ""))
        if status == "Reused" and pool.get("ReusedByJob"):
            return f"Reused by {pool['ReusedByJob']}"
        keep = self.raw.get("ResourceConfig", {}).get("KeepAlivePeriodInSeconds")
        if status == "Available" and keep and self.ended:
            until = (self.ended + dt.timedelta(seconds=int(keep))).astimezone()
            return f"Available until {until:%H:%M}"
        return status

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL

    def elapsed(self, now: dt.datetime | None = None) -> dt.timedelta:
        """Time since the job started training (or was created), up to its end."""
        start = self.started or self.created
        end = self.ended or (now or dt.datetime.now(dt.UTC))
        return max(end - start, dt.timedelta(0))

    def cost(self, now: dt.datetime | None = None, prices: PriceBook | None = None) -> float | None:
        """Cost so far in USD at `prices` (default: the shipped table): the billed seconds
        and the warm pool's after them, on every instance. None for a tuning job (its
        training jobs bill, each for itself) or when an instance has no price."""
        if self.kind is TUNING:
            return None
        rate = (prices or shipped_book()).rate(self.instance_groups)
        if rate is None:
            return None
        return rate * (self.billed_seconds(now) + self.retained_seconds) / 3600

    def billed_seconds(self, now: dt.datetime | None = None) -> int:
        """Seconds billed on each instance: SageMaker's `BillableTimeInSeconds` once it
        says it, else from `TrainingStartTime` (billing starts there) to the end, or now."""
        if self.billable_seconds is not None:
            return int(self.billable_seconds)
        if self.started is None:
            return 0
        end = self.ended or now or dt.datetime.now(dt.UTC)
        return max(int((end - self.started).total_seconds()), 0)

    @property
    def unbilled_seconds(self) -> int:
        """Spot: the training seconds SageMaker did not bill (what spot saved)."""
        if not self.use_spot or not self.training_seconds or self.billable_seconds is None:
            return 0
        return max(int(self.training_seconds) - int(self.billable_seconds), 0)

    @property
    def instance_groups(self) -> tuple[tuple[str, int], ...]:
        """`(instance type, count)` of each instance group (one, unless the job runs a
        heterogeneous cluster: `ResourceConfig.InstanceGroups`)."""
        groups = self.raw.get("ResourceConfig", {}).get("InstanceGroups") or []
        if groups:
            return tuple((str(g["InstanceType"]), int(g["InstanceCount"])) for g in groups)
        return ((self.instance_type, self.instance_count),)

    @property
    def retained_seconds(self) -> int:
        """The warm pool's billable time after the job (`ResourceRetainedBillableTime…`)."""
        pool = self.raw.get("WarmPoolStatus") or {}
        return int(pool.get("ResourceRetainedBillableTimeInSeconds") or 0)

    def warm_pool_problem(self) -> str | None:
        """Why this job's warm pool cannot be kept longer or released (None: it can)."""
        status = (self.raw.get("WarmPoolStatus") or {}).get("Status")
        if status in ("Available", "InUse"):
            return None
        if not status:
            return (f"{self.name} kept no warm pool (its KeepAlivePeriodInSeconds was 0 or "
                    "unset); a resubmit with --keep-alive S keeps one")  # fmt: skip
        return f"{self.name}'s warm pool is {self.warm_pool()}: nothing to keep or release"

    @property
    def spot_savings(self) -> float | None:
        """Managed spot savings as a fraction (0.7 = 70%), when SageMaker reports both times."""
        if not self.use_spot or not self.training_seconds or self.billable_seconds is None:
            return None
        return 1 - self.billable_seconds / self.training_seconds


def tuning_definition(item: dict[str, Any]) -> dict[str, Any]:
    """A tuning job's training job definition (the first, when it has several)."""
    definition = item.get("TrainingJobDefinition")
    if not definition:
        definition = next(iter(item.get("TrainingJobDefinitions") or []), {})
    return dict(definition)


@dataclass(frozen=True)
class Trial:
    """One training job of a tuning job (ListTrainingJobsForHyperParameterTuningJob)."""

    name: str
    status: str
    created: dt.datetime
    started: dt.datetime | None
    ended: dt.datetime | None
    objective: float | None
    """The final objective metric's value (None: not reported, or not yet)."""
    objective_status: str
    tuned: dict[str, str]
    failure_reason: str | None = None

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> Trial:
        created = parse_time(item["CreationTime"])
        assert created is not None
        metric = item.get("FinalHyperParameterTuningJobObjectiveMetric") or {}
        value = metric.get("Value")
        return cls(
            name=item["TrainingJobName"],
            status=item["TrainingJobStatus"],
            created=created,
            started=parse_time(item.get("TrainingStartTime")),
            ended=parse_time(item.get("TrainingEndTime")),
            objective=float(value) if isinstance(value, int | float) else None,
            objective_status=str(item.get("ObjectiveStatus", "")),
            tuned={
                k: plain_value(str(v)) for k, v in (item.get("TunedHyperParameters") or {}).items()
            },
            failure_reason=item.get("FailureReason"),
        )


def best_first(trials: list[Trial], objective_type: str) -> list[Trial]:
    """The trials best objective first (`Maximize`: highest; `Minimize`: lowest); those
    without a value follow, newest first."""
    scored = [t for t in trials if t.objective is not None]
    others = sorted((t for t in trials if t.objective is None), key=lambda t: t.created,
                    reverse=True)  # fmt: skip
    sign = 1 if objective_type == "Minimize" else -1
    scored.sort(key=lambda t: (sign * (t.objective or 0.0), t.name))
    return scored + others


def check_keep_alive(seconds: int) -> None:
    """UsageError when botocore's model of UpdateTrainingJob would refuse `seconds` as a
    warm pool's `ResourceConfig.KeepAlivePeriodInSeconds` (0-21,600 s)."""
    from smtui.core.apimodel import member_shape, refusals
    from smtui.core.errors import UsageError

    shape = member_shape(
        "ResourceConfig", "KeepAlivePeriodInSeconds", operation="UpdateTrainingJob"
    )
    if problems := refusals(shape, seconds):
        where = "UpdateTrainingJob ResourceConfig.KeepAlivePeriodInSeconds"
        raise UsageError("; ".join(f"{where}: {problem}" for problem in problems))


def keep_alive_said(job: str, seconds: int) -> str:
    """What a warm pool change did, in words: `run-1: warm pool released`."""
    done = "released" if seconds == 0 else f"kept {seconds} s after its last use"
    return f"{job}: warm pool {done}"


def pool_reuse(job: TrainingJob, request: dict[str, Any]) -> str | None:
    """What to say when `request` (a resubmit of `job`) matches `job`'s available warm pool:
    the same instance type, count and volume, role and VPC, and a keep-alive of its own,
    which is what SageMaker matches a pool on (None: it does not match, or there is none)."""
    pool = job.raw.get("WarmPoolStatus") or {}
    if pool.get("Status") != "Available":
        return None
    old, new = job.raw.get("ResourceConfig", {}), request.get("ResourceConfig", {})
    same = all(old.get(k) == new.get(k) for k in ("InstanceType", "InstanceCount",
                                                  "VolumeSizeInGB"))  # fmt: skip
    same = same and job.raw.get("RoleArn") == request.get("RoleArn")
    same = same and (job.raw.get("VpcConfig") or {}) == (request.get("VpcConfig") or {})
    if not same or not new.get("KeepAlivePeriodInSeconds"):
        return None
    return (f"it matches {job.name}'s warm pool ({job.warm_pool()}): SageMaker reuses it "
            "(no wait for instances) if it is still available when the job starts")  # fmt: skip
