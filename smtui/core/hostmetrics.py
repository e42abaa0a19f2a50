"""Instance metrics per host, as SageMaker publishes them, and what they say about a job.

SageMaker puts `CPUUtilization`, `MemoryUtilization`, `GPUUtilization`,
`GPUMemoryUtilization` and `DiskUtilization` in CloudWatch, namespace
`/aws/sagemaker/TrainingJobs`, dimension `Host = <job>/algo-<n>`, one point a minute. CPU
and GPU values are summed over the host's cores and GPUs (0-800 % on 8 GPUs); smtui shows GPU
values per GPU, from the instance catalogue. The local backend's sampler records the same
metrics, and answers the same queries, so one path reads both (`read_results`).

`queries` builds one GetMetricData request for every host of a job; `read_results` turns
its `MetricDataResults` into series; `flags` finds what burns money unseen: a host whose
GPUs idle, a job whose log went quiet, a host far from the others (a straggler).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from smtui.core.jobs import TrainingJob

NAMESPACE = "/aws/sagemaker/TrainingJobs"
METRICS = (
    "GPUUtilization",
    "GPUMemoryUtilization",
    "CPUUtilization",
    "MemoryUtilization",
    "DiskUtilization",
)
"""In the order they are shown: what costs the money first."""
SHORT = {
    "CPUUtilization": "CPU",
    "MemoryUtilization": "mem",
    "GPUUtilization": "GPU",
    "GPUMemoryUtilization": "GPU mem",
    "DiskUtilization": "disk",
}
PER_GPU = frozenset({"GPUUtilization", "GPUMemoryUtilization"})
"""The metrics summed over a host's GPUs: divided by the GPU count to show one GPU's."""
PERIOD = 60
"""SageMaker's resolution, in seconds."""
MAX_QUERIES = 500
"""GetMetricData's limit of metrics in one request."""


def host_dimension(job: str, host: str) -> str:
    return f"{job}/{host}"


def query_id(metric: str, host: int) -> str:
    """A query's Id: a lower-case letter first, then letters, digits and `_` (`cpu_h3`)."""
    return f"{SHORT[metric].replace(' ', '').lower()}_h{host}"


def queries(job: str, hosts: int, period: int = PERIOD) -> list[dict[str, Any]]:
    """MetricDataQueries for every metric of every host of `job` (one request: 5 × 16
    hosts is 80, under GetMetricData's 500)."""
    found = [
        {
            "Id": query_id(metric, host),
            "Label": f"{host_dimension(job, f'algo-{host}')} {metric}",
            "MetricStat": {
                "Metric": {
                    "Namespace": NAMESPACE,
                    "MetricName": metric,
                    "Dimensions": [{"Name": "Host", "Value": host_dimension(job, f"algo-{host}")}],
                },
                "Period": period,
                "Stat": "Average",
            },
            "ReturnData": True,
        }
        for host in range(1, hosts + 1)
        for metric in METRICS
    ]
    assert len(found) <= MAX_QUERIES, "more hosts than one GetMetricData call holds"
    return found


@dataclass
class Series:
    """One metric of one host, oldest point first."""

    times: list[dt.datetime] = field(default_factory=list)
    values: list[float] = field(default_factory=list)

    @property
    def current(self) -> float | None:
        return self.values[-1] if self.values else None

    def since(self, start: dt.datetime) -> list[float]:
        return [v for t, v in zip(self.times, self.values, strict=True) if t >= start]


HostSeries = dict[str, dict[str, Series]]
"""host (`algo-1`) → metric → its series."""


def _time(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, int | float):
        return dt.datetime.fromtimestamp(value, dt.UTC)
    return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def read_results(results: Iterable[Mapping[str, Any]], hosts: int) -> HostSeries:
    """GetMetricData's `MetricDataResults` (newest first or oldest first, any pages
    joined) as series per host and metric, oldest point first."""
    ids = {query_id(m, h): (f"algo-{h}", m) for h in range(1, hosts + 1) for m in METRICS}
    found: HostSeries = {f"algo-{h}": {m: Series() for m in METRICS} for h in range(1, hosts + 1)}
    points: dict[tuple[str, str], dict[dt.datetime, float]] = {}
    for result in results:
        where = ids.get(str(result.get("Id", "")))
        if where is None:
            continue
        kept = points.setdefault(where, {})
        for stamp, value in zip(result.get("Timestamps", []), result.get("Values", []),
                                strict=False):  # fmt: skip
            kept[_time(stamp)] = float(value)
    for (host, metric), kept in points.items():
        series = found[host][metric]
        for stamp in sorted(kept):
            series.times.append(stamp)
            series.values.append(kept[stamp])
    return found


def hardware(instance_type: str) -> tuple[int, int]:
    """(GPUs, vCPUs) of an instance type, from the catalogue ((0, 1) when unknown)."""
    from smtui.core.instances import load_catalogue

    instance = load_catalogue().get(instance_type)
    return (instance.accelerator_count, instance.vcpu) if instance else (0, 1)


def shown_value(metric: str, value: float | None, gpus: int) -> float | None:
    """The value as smtui shows it: a GPU metric per GPU (SageMaker sums them)."""
    if value is None:
        return None
    return value / gpus if metric in PER_GPU and gpus > 1 else value


def scale_of(metric: str, gpus: int, vcpus: int) -> float:
    """The top of a metric's sparkline: 100 % per GPU, 100 % per core for CPU."""
    if metric == "CPUUtilization":
        return 100.0 * max(vcpus, 1)
    return 100.0


@dataclass(frozen=True)
class Thresholds:
    """When a job in Training is flagged (settings.json `"stalls"`)."""

    idle_gpu_percent: float = 5.0
    idle_minutes: float = 10.0
    quiet_minutes: float = 15.0
    straggler_gap_percent: float = 30.0
    """How far (in points of utilisation per GPU, or per core) a host's mean over the last
    `idle_minutes` may be from the hosts' median before it is called a straggler."""
    checkpoint_minutes: float = 60.0
    """How old a running job's newest checkpoint may be before the details warn of it."""

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], where: str) -> Thresholds:
        """The `"stalls"` object of the settings; a key smtui does not know, or a value
        that is not a positive number, is an error naming the file and the key."""
        from smtui.core.errors import UsageError

        given = settings.get("stalls", {})
        if not isinstance(given, dict):
            raise UsageError(f"{where}: stalls: must be an object of thresholds")
        known = set(cls.__dataclass_fields__)
        values: dict[str, float] = {}
        for key, value in given.items():
            if key not in known:
                raise UsageError(f"{where}: stalls.{key}: unknown; the thresholds are "
                                 f"{', '.join(sorted(known))}")  # fmt: skip
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise UsageError(f"{where}: stalls.{key}: must be a positive number, not {value!r}")
            values[key] = float(value)
        return cls(**values)


@dataclass(frozen=True)
class Flag:
    """Something wrong with a job, with its numbers: `algo-3 idle: GPU 0.4 % for 12 min`."""

    kind: str
    """`idle`, `quiet` or `straggler`."""
    host: str | None
    text: str


def _covered(series: Series, start: dt.datetime) -> bool:
    """Whether the series has points from `start` on (a window it fully speaks for)."""
    return bool(series.times) and series.times[0] <= start + dt.timedelta(seconds=PERIOD)


def flags(
    series: HostSeries,
    *,
    gpus: int,
    vcpus: int = 1,
    now: dt.datetime,
    last_log: dt.datetime | None,
    since: dt.datetime | None,
    thresholds: Thresholds = Thresholds(),
) -> list[Flag]:
    """What is wrong with a job in Training: hosts whose GPUs idled through the whole
    window, a log quiet for too long (`last_log`: its newest line's time; `since`: when
    training started, so a fresh job is not called quiet), hosts far from the others."""
    found: list[Flag] = []
    window = now - dt.timedelta(minutes=thresholds.idle_minutes)
    minutes = f"{thresholds.idle_minutes:g} min"
    metric = "GPUUtilization" if gpus else "CPUUtilization"
    means: dict[str, float] = {}
    for host, metrics in series.items():
        chosen = metrics[metric]
        recent = chosen.since(window)
        if not recent or not _covered(chosen, window):
            continue
        per = [v / max(vcpus, 1) if not gpus else shown_value(metric, v, gpus) or 0.0
               for v in recent]  # fmt: skip
        if gpus and max(per) < thresholds.idle_gpu_percent:
            found.append(Flag("idle", host, f"{host} idle: GPU {max(per):.1f} %/GPU at most "
                              f"for {minutes}"))  # fmt: skip
        else:  # an idle host is said to be idle, and kept out of the hosts' median
            means[host] = statistics.fmean(per)
    if len(means) > 1:
        middle = statistics.median(means.values())
        unit = "%/GPU" if gpus else "%/core"
        for host, mean in means.items():
            if abs(mean - middle) > thresholds.straggler_gap_percent:
                found.append(Flag("straggler", host, f"{host} straggling: {mean:.0f} {unit} "
                                  f"against the hosts' {middle:.0f} over {minutes}"))  # fmt: skip
    quiet = dt.timedelta(minutes=thresholds.quiet_minutes)
    heard = last_log or since
    if heard is not None and now - heard > quiet:
        took = int((now - heard).total_seconds() // 60)
        found.append(Flag("quiet", None, f"no log line for {took} min"))
    return found


def training_since(job: TrainingJob) -> dt.datetime | None:
    """When the job entered Training (its newest status step), for the quiet flag."""
    steps = [step for step in job.transitions if step.status == "Training"]
    return steps[-1].start if steps else job.started


def job_flags(
    job: TrainingJob,
    series: HostSeries,
    *,
    now: dt.datetime,
    thresholds: Thresholds,
    last_log: dt.datetime | None = None,
    log_watched: bool = False,
) -> list[Flag]:
    """`flags` for `job` (none unless it is in Training), on its instance's GPUs and cores.
    The quiet flag needs the job's log watched (`last_log` its newest line, if any)."""
    if job.status != "InProgress" or job.secondary_status != "Training":
        return []
    gpus, vcpus = hardware(job.instance_type)
    since = training_since(job) if log_watched else None
    return flags(series, gpus=gpus, vcpus=vcpus, now=now, last_log=last_log, since=since,
                 thresholds=thresholds)  # fmt: skip


def has_points(series: HostSeries) -> bool:
    """Whether any host has any point of any metric."""
    return any(points.values for metrics in series.values() for points in metrics.values())


def summary(found: Sequence[Flag]) -> str:
    """The flags in a few words, for a row or the status line: `algo-3 idle · no log…`."""
    return " · ".join(flag.text for flag in found)


STRIP = ("GPUUtilization", "GPUMemoryUtilization", "CPUUtilization")
"""What the logs pane and the details show per host: what the money buys."""


def spark(series: Series, metric: str, gpus: int, vcpus: int, width: int) -> str:
    """The newest `width` points as blocks on the metric's fixed scale (0-100 % per GPU,
    0-100 % per core for CPU), so a flat 3 % reads low, not as a full bar."""
    from smtui.core.metrics import sparkline

    values = [shown_value(metric, v, gpus) or 0.0 for v in series.values[-width:]]
    if not values:
        return ""
    top = scale_of(metric, gpus, vcpus)
    return sparkline([0.0, top, *values], len(values) + 2)[2:]


def host_line(host: str, metrics: Mapping[str, Series], gpus: int, vcpus: int,
              width: int) -> str:  # fmt: skip
    """`algo-1  GPU ▂▅▇ 86% · GPU mem ▅▅▅ 60% · CPU ▁▁▁ 311%` in about `width` cells (GPU
    values per GPU); the metrics a host has none of are left out (no GPU: CPU alone)."""
    shown = [m for m in STRIP if metrics[m].values]
    if not shown:
        return f"{host}  no metrics yet"
    room = max((width - len(host) - 2 - 16 * len(shown)) // len(shown), 4)
    parts = []
    for metric in shown:
        value = shown_value(metric, metrics[metric].current, gpus)
        parts.append(f"{SHORT[metric]} {spark(metrics[metric], metric, gpus, vcpus, room)} "
                     f"{value:.0f}%")  # fmt: skip
    return f"{host}  " + " · ".join(parts)


SEVERITY = ("idle", "quiet", "straggler")
"""The flags' kinds, the costliest first."""
WORDS = {"idle": "idle", "quiet": "quiet", "straggler": "slow"}


def short(found: Sequence[Flag]) -> str:
    """The flags for a jobs row: `⚠ idle`, or `⚠ idle+1` when there are more (a flagged
    job is in Training, so this stands in its Secondary cell, and the row keeps its width);
    the status line and the details say which host and how much."""
    if not found:
        return ""
    worst = min(found, key=lambda flag: SEVERITY.index(flag.kind))
    return f"⚠ {WORDS[worst.kind]}" + (f"+{len(found) - 1}" if len(found) > 1 else "")
