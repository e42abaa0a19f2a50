"""A job as the SageMaker console shows it: sections of (label, value) rows, read from its
Describe… response, its tags and its log streams (and a tuning job's training jobs); and
the console and CloudWatch links. Pure: the details screen draws the rows, copies a row's
value, and opens the job a row links to (a tuning job's training job, a training job's
tuning job).

Every value is the whole value, never cut: the screen wraps it.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from smtui.core.formats import duration, money, when
from smtui.core.hostmetrics import Flag, HostSeries, hardware, has_points, host_line
from smtui.core.hyperparams import render_argv
from smtui.core.jobs import TrainingJob, Trial, best_first, tuning_definition
from smtui.core.jobstate import capacity_wait, interruptions, lost_in_all, same_accelerator
from smtui.core.kinds import PROCESSING, TRAINING, TUNING, Kind
from smtui.core.place import is_region_name
from smtui.core.prices import PriceBook, shipped_book

LOG_GROUP = "/aws/sagemaker/TrainingJobs"

Link = tuple[Kind, str]
"""A job a row opens: its kind and name."""

CONSOLE_DOMAINS = {
    "aws": "console.aws.amazon.com",
    "aws-cn": "console.amazonaws.cn",
    "aws-us-gov": "console.amazonaws-us-gov.com",
}
"""The console's host for each partition (the ARN's second field); others have none here."""


@dataclass
class Section:
    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    links: dict[int, Link] = field(default_factory=dict)
    """The rows (by index) that open another job."""

    def add(self, label: str, value: object, opens: Link | None = None) -> None:
        """A row, unless there is nothing to say (None, empty); `opens`: the job it links to."""
        if value is None or value == "" or value == [] or value == {}:
            return
        if opens is not None:
            self.links[len(self.rows)] = opens
        self.rows.append((label, str(value)))


def _seconds(value: object) -> str | None:
    if not isinstance(value, int | float):
        return None
    return f"{duration(dt.timedelta(seconds=value))} ({int(value)} s)"


def _flag(value: object) -> str | None:
    return None if value is None else ("yes" if value else "no")


def arn_place(arn: str) -> tuple[str, str] | None:
    """(partition, region) of a SageMaker ARN, `arn:aws:sagemaker:us-east-1:…` (None: not
    one, or the local backend's, whose region is `local`)."""
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn" or parts[2] != "sagemaker":
        return None
    if not is_region_name(parts[3]):
        return None
    return parts[1], parts[3]


def _console(arn: str) -> tuple[str, str] | None:
    """(region, the console's host) for the ARN's partition (None: no console here)."""
    where = arn_place(arn)
    if where is None or where[0] not in CONSOLE_DOMAINS:
        return None
    partition, region = where
    return region, f"{region}.{CONSOLE_DOMAINS[partition]}"


def console_url(arn: str, name: str, kind: Kind = TRAINING) -> str | None:
    """The job's page in the SageMaker console (None: not an AWS ARN, e.g. the local
    backend's, or a partition without a console here)."""
    if (console := _console(arn)) is None:
        return None
    region, host = console
    return (f"https://{host}/sagemaker/home?region={region}"
            f"#/{kind.console_path}/{urllib.parse.quote(name, safe='')}")  # fmt: skip


def _console_escape(text: str) -> str:
    """The CloudWatch console's fragment encoding: URL-encoded, then each `%` as `$25`."""
    return urllib.parse.quote(text, safe="").replace("%", "$25")


def log_stream_url(arn: str, stream: str, group: str = LOG_GROUP) -> str | None:
    """A log stream of the job in the CloudWatch console (None as for `console_url`)."""
    if (console := _console(arn)) is None:
        return None
    region, host = console
    return (f"https://{host}/cloudwatch/home?region={region}"
            f"#logsV2:log-groups/log-group/{_console_escape(group)}"
            f"/log-events/{_console_escape(stream)}")  # fmt: skip


def sections(
    job: TrainingJob,
    *,
    tags: Mapping[str, str] | None = None,
    streams: Sequence[str] = (),
    now: dt.datetime | None = None,
    trials: Sequence[Trial] | None = None,
    prices: PriceBook | None = None,
) -> list[Section]:
    """What the console's page of the job shows, section by section; a section with nothing
    to show is left out. `trials`: a tuning job's training jobs (None: not listed yet);
    costs at `prices` (default: the shipped table)."""
    book = prices or shipped_book()
    if job.kind is TUNING:
        every = _tuning(job, trials, now, book)
    elif job.kind is PROCESSING:
        every = _processing(job, now, book)
    else:
        every = _training(job, now, book)
    every += _tail(job, tags, streams)
    return [section for section in every if section.rows]


def _tail(
    job: TrainingJob, tags: Mapping[str, str] | None, streams: Sequence[str]
) -> list[Section]:
    """The sections every kind ends with: environment, tags, links."""
    environment = Section("Environment")
    for key, value in sorted(job.raw.get("Environment", {}).items()):
        environment.add(key, value)

    tagged = Section("Tags")
    for key, value in sorted((tags or {}).items()):
        tagged.add(key, value)

    links = Section("Links")
    links.add("console", console_url(job.arn, job.name, job.kind))
    group = job.kind.log_group or LOG_GROUP
    for stream in streams:
        links.add(f"logs {stream.rsplit('/', 1)[-1]}", log_stream_url(job.arn, stream, group))
    return [environment, tagged, links]


def _times(job: TrainingJob, section: Section, now: dt.datetime | None) -> None:
    section.add("created", when(job.created))
    if job.kind.start_key:  # a tuning job has no start of its own: its training jobs do
        section.add("started", when(job.started))
    section.add("ended", when(job.ended))
    section.add("elapsed", duration(job.elapsed(now)))


def _training(job: TrainingJob, now: dt.datetime | None, prices: PriceBook) -> list[Section]:
    raw: dict[str, Any] = job.raw
    algorithm = raw.get("AlgorithmSpecification", {})
    resources = raw.get("ResourceConfig", {})
    stopping = raw.get("StoppingCondition", {})
    output = raw.get("OutputDataConfig", {})

    summary = Section("Job")
    summary.add("ARN", job.arn)
    if (tuner := job.tuning_job) is not None:
        summary.add("tuning job (enter)", tuner, opens=(TUNING, tuner))
    summary.add("role", job.role_arn)
    summary.add("image", job.image)
    summary.add("input mode", algorithm.get("TrainingInputMode"))
    summary.add("instances", f"{job.instance_type} × {job.instance_count}"
                + ("  (managed spot)" if job.use_spot else ""))  # fmt: skip
    summary.add("warm pool", job.warm_pool())
    _times(job, summary, now)
    summary.add("billable", duration(job.billable_seconds))
    summary.add("est. cost", money(job.cost(now, prices)) + prices.brief_caveat)
    if (savings := job.spot_savings) is not None:
        summary.add("spot savings", f"{savings:.0%}")
    summary.add("model artifacts", job.model_artifacts)
    summary.add("output path", job.output_path)

    limits = Section("Limits and storage")
    limits.add("max runtime", _seconds(stopping.get("MaxRuntimeInSeconds")))
    limits.add("max wait", _seconds(stopping.get("MaxWaitTimeInSeconds")))
    limits.add("max pending", _seconds(stopping.get("MaxPendingTimeInSeconds")))
    if (size := resources.get("VolumeSizeInGB")) is not None:
        limits.add("volume", f"{size} GB")
    limits.add("volume KMS key", resources.get("VolumeKmsKeyId"))
    limits.add("output KMS key", output.get("KmsKeyId"))
    limits.add("keep alive", _seconds(resources.get("KeepAlivePeriodInSeconds")))
    retry = raw.get("RetryStrategy", {}).get("MaximumRetryAttempts")
    limits.add("retry attempts", retry)

    network = Section("Network")
    _vpc(network, raw.get("VpcConfig", {}))
    network.add("network isolation", _flag(raw.get("EnableNetworkIsolation")))
    network.add("encryption between hosts",
                _flag(raw.get("EnableInterContainerTrafficEncryption")))  # fmt: skip
    network.add("remote debug", _flag(raw.get("RemoteDebugConfig", {}).get("EnableRemoteDebug")))

    hyper = Section("Hyperparameters")
    for key, value in sorted(job.params.items()):
        if not key.startswith("sagemaker_"):
            hyper.add(key, value)
    if hyper.rows:
        hyper.add("entry point argv", " ".join(render_argv(job.hyperparameters)))

    channels = Section("Channels")
    for name, uri in sorted(job.channels.items()):
        channels.add(name, uri)

    outputs = Section("Checkpoints and TensorBoard")
    checkpoint = raw.get("CheckpointConfig", {})
    if checkpoint.get("S3Uri"):
        local = checkpoint.get("LocalPath", "/opt/ml/checkpoints")
        outputs.add("checkpoints", f"{checkpoint['S3Uri']} ↔ {local}")
    board = raw.get("TensorBoardOutputConfig", {})
    if board.get("S3OutputPath"):
        local = board.get("LocalPath", "/opt/ml/output/tensorboard")
        outputs.add("TensorBoard", f"{board['S3OutputPath']} ↔ {local}")
    debug = raw.get("DebugHookConfig", {})
    outputs.add("debugger output", debug.get("S3OutputPath"))
    profiler = raw.get("ProfilerConfig", {})
    outputs.add("profiler output", profiler.get("S3OutputPath"))
    outputs.add("profiling", raw.get("ProfilingStatus"))

    rules = Section("Debugger and profiler rules")
    for key, kind in (("DebugRuleEvaluationStatuses", "debugger"),
                      ("ProfilerRuleEvaluationStatuses", "profiler")):  # fmt: skip
        for rule in raw.get(key, []):
            detail = rule.get("StatusDetails")
            status = str(rule.get("RuleEvaluationStatus", "?"))
            rules.add(f"{kind}: {rule.get('RuleConfigurationName', '?')}",
                      status + (f": {detail}" if detail else ""))  # fmt: skip

    metrics = Section("Final metrics")
    for metric in raw.get("FinalMetricDataList", []):
        metrics.add(str(metric.get("MetricName", "?")), metric.get("Value"))

    spot = Section("Spot and capacity")
    lost = interruptions(job, now)
    if lost:
        spot.add("interruptions", lost_in_all(lost))
        for index, interruption in enumerate(lost, 1):
            spot.add(f"interruption {index}", f"{when(interruption.start)}, training again "
                     f"after {duration(interruption.lost)}")  # fmt: skip
    if (wait := capacity_wait(job)) is not None:
        lasted = wait.lasted(now or dt.datetime.now(dt.UTC))
        spot.add("waiting for capacity", f"{duration(lasted)}: {wait.message}")
        spot.add("same accelerator", ", ".join(same_accelerator(job.instance_type)))

    history = Section("Status history")
    for step in job.transitions:
        took = duration(step.end - step.start) if step.end else "…"
        history.add(step.status, f"{when(step.start)}  took {took}"
                    + (f"  {step.message}" if step.message else ""))  # fmt: skip

    return [summary, spot, history, limits, network, hyper, channels, outputs, rules, metrics]


def _vpc(section: Section, vpc: Mapping[str, Any]) -> None:
    section.add("subnets", ", ".join(vpc.get("Subnets", [])))
    section.add("security groups", ", ".join(vpc.get("SecurityGroupIds", [])))


def _processing(job: TrainingJob, now: dt.datetime | None, prices: PriceBook) -> list[Section]:
    raw: dict[str, Any] = job.raw
    app = raw.get("AppSpecification", {})
    cluster = raw.get("ProcessingResources", {}).get("ClusterConfig", {})
    summary = Section("Job")
    summary.add("ARN", job.arn)
    summary.add("role", job.role_arn)
    summary.add("image", job.image)
    summary.add("entry point", " ".join(app.get("ContainerEntrypoint", [])))
    summary.add("arguments", " ".join(app.get("ContainerArguments", [])))
    summary.add("instances", f"{job.instance_type} × {job.instance_count}")
    _times(job, summary, now)
    summary.add("est. cost", money(job.cost(now, prices)) + prices.brief_caveat)
    summary.add("exit message", raw.get("ExitMessage"))
    for key, label in (
        ("TrainingJobArn", "training job"),
        ("AutoMLJobArn", "AutoML job"),
        ("MonitoringScheduleArn", "monitoring schedule"),
    ):
        summary.add(label, raw.get(key))

    inputs = Section("Inputs (container path ← source)")
    for item in raw.get("ProcessingInputs", []):
        name = str(item.get("InputName", "?"))
        if s3 := item.get("S3Input"):
            how = ", ".join(
                str(s3[k])
                for k in (
                    "S3DataType",
                    "S3InputMode",
                    "S3DataDistributionType",
                    "S3CompressionType",
                )
                if s3.get(k)
            )
            inputs.add(
                name,
                f"{s3.get('LocalPath', '?')} ← {s3.get('S3Uri', '?')}"
                + (f"  ({how})" if how else ""),
            )
        elif dataset := item.get("DatasetDefinition"):
            source = "Athena" if "AthenaDatasetDefinition" in dataset else "Redshift"
            inputs.add(name, f"{dataset.get('LocalPath', '?')} ← a {source} dataset")

    outputs = Section("Outputs (container path → destination)")
    config = raw.get("ProcessingOutputConfig", {})
    for item in config.get("Outputs", []):
        name = str(item.get("OutputName", "?"))
        if s3 := item.get("S3Output"):
            mode = s3.get("S3UploadMode")
            outputs.add(
                name,
                f"{s3.get('LocalPath', '?')} → {s3.get('S3Uri', '?')}"
                + (f"  ({mode})" if mode else ""),
            )
        elif store := item.get("FeatureStoreOutput"):
            outputs.add(name, f"→ feature group {store.get('FeatureGroupName', '?')}")

    limits = Section("Limits and storage")
    limits.add("max runtime", _seconds(raw.get("StoppingCondition", {}).get("MaxRuntimeInSeconds")))
    if (size := cluster.get("VolumeSizeInGB")) is not None:
        limits.add("volume", f"{size} GB")
    limits.add("volume KMS key", cluster.get("VolumeKmsKeyId"))
    limits.add("output KMS key", config.get("KmsKeyId"))

    network = Section("Network")
    net = raw.get("NetworkConfig", {})
    _vpc(network, net.get("VpcConfig", {}))
    network.add("network isolation", _flag(net.get("EnableNetworkIsolation")))
    network.add("encryption between hosts", _flag(net.get("EnableInterContainerTrafficEncryption")))
    return [summary, inputs, outputs, limits, network]


def trials_cost(
    job: TrainingJob, trials: Sequence[Trial], now: dt.datetime | None, prices: PriceBook
) -> float | None:
    """What a tuning job's training jobs cost so far: each one's training time × the
    definition's instances at `prices` (None: no price for the instance)."""
    rate = prices.rate(job.instance_groups)
    if rate is None:
        return None
    end = now or dt.datetime.now(dt.UTC)
    seconds = sum(
        max(((t.ended or end) - t.started).total_seconds(), 0.0) for t in trials if t.started
    )
    return seconds / 3600 * rate


def _objective(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _ranges(section: Section, ranges: Mapping[str, Any]) -> None:
    for key, word in (("ContinuousParameterRanges", "continuous"),
                      ("IntegerParameterRanges", "integer")):  # fmt: skip
        for item in ranges.get(key, []):
            scale = item.get("ScalingType")
            section.add(str(item.get("Name", "?")),
                        f"{word} {item.get('MinValue')}–{item.get('MaxValue')}"
                        + (f" ({scale})" if scale else ""))  # fmt: skip
    for item in ranges.get("CategoricalParameterRanges", []):
        section.add(
            str(item.get("Name", "?")),
            "one of " + ", ".join(str(v) for v in item.get("Values", [])),
        )


def _tuning(
    job: TrainingJob, trials: Sequence[Trial] | None, now: dt.datetime | None, prices: PriceBook
) -> list[Section]:
    raw: dict[str, Any] = job.raw
    config = raw.get("HyperParameterTuningJobConfig", {})
    objective = config.get("HyperParameterTuningJobObjective", {})
    metric, goal = objective.get("MetricName", "objective"), objective.get("Type", "Maximize")
    limits = config.get("ResourceLimits", {})
    definition = tuning_definition(raw)

    summary = Section("Tuning job")
    summary.add("ARN", job.arn)
    summary.add("strategy", config.get("Strategy"))
    summary.add("objective", f"{goal} {metric}" if objective else None)
    if most := limits.get("MaxNumberOfTrainingJobs"):
        at_once = limits.get("MaxParallelTrainingJobs")
        summary.add(
            "limits", f"at most {most} training jobs" + (f", {at_once} at once" if at_once else "")
        )
    summary.add("max runtime", _seconds(limits.get("MaxRuntimeInSeconds")))
    summary.add("early stopping", config.get("TrainingJobEarlyStoppingType"))
    counters = raw.get("TrainingJobStatusCounters", {})
    summary.add("training jobs", ", ".join(f"{k} {v}" for k, v in counters.items()))
    scores = raw.get("ObjectiveStatusCounters", {})
    summary.add("objective status", ", ".join(f"{k} {v}" for k, v in scores.items()))
    if best := raw.get("BestTrainingJob"):
        value = (best.get("FinalHyperParameterTuningJobObjectiveMetric") or {}).get("Value")
        summary.add(
            "best training job",
            f"{best.get('TrainingJobName')}: {metric} = {_objective(value)}",
            opens=(TRAINING, str(best.get("TrainingJobName"))),
        )
    _times(job, summary, now)
    if trials:
        summary.add(
            "est. cost",
            money(trials_cost(job, trials, now, prices))
            + f"  (the time of its {len(trials)} training jobs × their instances)",
        )
    parents = raw.get("WarmStartConfig", {})
    summary.add(
        "warm start",
        ", ".join(
            p.get("HyperParameterTuningJobName", "?")
            for p in parents.get("ParentHyperParameterTuningJobs", [])
        ),
    )

    listed = Section(f"Training jobs, best {metric} first")
    if trials is None:
        listed.add("…", "listing its training jobs")
    elif not trials:
        listed.add("(none yet)", "the tuner has not launched a training job")
    for trial in best_first(list(trials or []), goal):
        params = ", ".join(f"{k}={v}" for k, v in sorted(trial.tuned.items()))
        listed.add(
            trial.name,
            f"{metric} = {_objective(trial.objective)}  {trial.status}"
            + (f"  {params}" if params else ""),
            opens=(TRAINING, trial.name),
        )

    ranges = Section("Parameter ranges")
    _ranges(ranges, config.get("ParameterRanges") or definition.get("HyperParameterRanges", {}))

    trained = Section("Training job definition")
    trained.add("image", job.image)
    trained.add(
        "instances",
        f"{job.instance_type} × {job.instance_count}"
        + ("  (managed spot)" if job.use_spot else ""),
    )
    trained.add("role", job.role_arn)
    trained.add(
        "max runtime", _seconds(definition.get("StoppingCondition", {}).get("MaxRuntimeInSeconds"))
    )
    for key, value in sorted(job.params.items()):
        if not key.startswith("sagemaker_"):
            trained.add(f"static {key}", value)
    for name, uri in sorted(job.channels.items()):
        trained.add(f"channel {name}", uri)
    trained.add("output path", job.output_path)
    return [listed, summary, ranges, trained]  # it opens on its training jobs


def hosts_section(job: TrainingJob, series: HostSeries, found: Sequence[Flag]) -> Section:
    """Each host's GPU, GPU memory and CPU (sparklines of the last half hour, GPU values
    per GPU), then what is wrong, with its numbers."""
    gpus, vcpus = hardware(job.instance_type)
    title = "Hosts (instance metrics" + (f"; GPU values per GPU, of {gpus})" if gpus > 1 else ")")
    section = Section(title)
    if not found and not has_points(series):
        return section  # no metrics at all (a job that never ran, or older than CloudWatch's)
    for flag in found:
        section.add(f"⚠ {flag.host or 'log'}", flag.text)
    for host, metrics in series.items():
        section.add(host, host_line(host, metrics, gpus, vcpus, 72).removeprefix(f"{host}  "))
    return section
