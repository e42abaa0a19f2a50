"""Training jobs as smtui shows them, read from SageMaker's response shapes.

Both backends produce DescribeTrainingJob- and ListTrainingJobs-shaped dicts; these models
read them, so the panes and the CLI never index raw responses themselves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from smtui.core.hyperparams import plain_value
from smtui.core.instances import load_catalogue

TERMINAL = frozenset({"Completed", "Failed", "Stopped"})
STATUSES = ("InProgress", "Completed", "Failed", "Stopping", "Stopped")


def _time(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, int | float):
        return dt.datetime.fromtimestamp(value, dt.UTC)
    return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def parse_status(value: str) -> str:
    """A status as SageMaker spells it (`inprogress` → `InProgress`), else ValueError."""
    for status in STATUSES:
        if value.lower() == status.lower():
            return status
    raise ValueError(f"unknown status '{value}'; use one of {', '.join(STATUSES)}")


@dataclass(frozen=True)
class JobSummary:
    """One row of ListTrainingJobs."""

    name: str
    status: str
    created: dt.datetime
    ended: dt.datetime | None = None
    modified: dt.datetime | None = None
    secondary_status: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> JobSummary:
        created = _time(item["CreationTime"])
        assert created is not None
        return cls(
            name=item["TrainingJobName"],
            status=item["TrainingJobStatus"],
            created=created,
            ended=_time(item.get("TrainingEndTime")),
            modified=_time(item.get("LastModifiedTime")),
            secondary_status=item.get("SecondaryStatus"),
            raw=item,
        )


@dataclass(frozen=True)
class StatusTransition:
    status: str
    start: dt.datetime
    end: dt.datetime | None
    message: str


@dataclass(frozen=True)
class TrainingJob:
    """A described job: everything the details view and the cost column need."""

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

    @property
    def params(self) -> dict[str, str]:
        """The hyperparameters with values as written (script mode's JSON strings decoded)."""
        return {k: plain_value(v) for k, v in self.hyperparameters.items()}

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> TrainingJob:
        resources = item.get("ResourceConfig", {})
        channels = {
            c["ChannelName"]: c.get("DataSource", {}).get("S3DataSource", {}).get("S3Uri", "")
            for c in item.get("InputDataConfig", [])
        }
        created = _time(item["CreationTime"])
        assert created is not None
        return cls(
            name=item["TrainingJobName"],
            status=item["TrainingJobStatus"],
            secondary_status=item.get("SecondaryStatus"),
            instance_type=resources.get("InstanceType", ""),
            instance_count=int(resources.get("InstanceCount", 1)),
            created=created,
            started=_time(item.get("TrainingStartTime")),
            ended=_time(item.get("TrainingEndTime")),
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
                    _time(t["StartTime"]) or created,
                    _time(t.get("EndTime")),
                    t.get("StatusMessage", ""),
                )
                for t in item.get("SecondaryStatusTransitions", [])
            ),
            raw=item,
        )

    @property
    def arn(self) -> str:
        return str(self.raw.get("TrainingJobArn", ""))

    @property
    def role_arn(self) -> str:
        return str(self.raw.get("RoleArn", ""))

    @property
    def image(self) -> str:
        """The training image's URI (a built-in algorithm's name when there is none)."""
        spec = self.raw.get("AlgorithmSpecification", {})
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

    def cost(self, now: dt.datetime | None = None) -> float | None:
        """Estimated cost in USD: billable seconds (else elapsed) × instances × catalogue price."""
        instance = load_catalogue().get(self.instance_type)
        if instance is None or instance.price_per_hour is None:
            return None
        seconds = self.billable_seconds
        if seconds is None:
            seconds = int(self.elapsed(now).total_seconds())
        return seconds / 3600 * self.instance_count * instance.price_per_hour

    @property
    def spot_savings(self) -> float | None:
        """Managed spot savings as a fraction (0.7 = 70%), when SageMaker reports both times."""
        if not self.use_spot or not self.training_seconds or self.billable_seconds is None:
            return None
        return 1 - self.billable_seconds / self.training_seconds
