"""A training job as the SageMaker console shows it: sections of (label, value) rows, read
from the DescribeTrainingJob response, the job's tags and its log streams; and the console
and CloudWatch links. Pure: the details screen draws the rows, and copies a row's value.

Every value is the whole value, never cut: the screen wraps it.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from smtui.core.formats import duration, money, when
from smtui.core.hyperparams import render_argv
from smtui.core.jobs import TrainingJob
from smtui.core.place import is_region_name

LOG_GROUP = "/aws/sagemaker/TrainingJobs"

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

    def add(self, label: str, value: object) -> None:
        """A row, unless there is nothing to say (None, empty)."""
        if value is None or value == "" or value == [] or value == {}:
            return
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


def console_url(arn: str, name: str) -> str | None:
    """The job's page in the SageMaker console (None: not an AWS ARN, e.g. the local
    backend's, or a partition without a console here)."""
    if (console := _console(arn)) is None:
        return None
    region, host = console
    return (f"https://{host}/sagemaker/home?region={region}"
            f"#/jobs/{urllib.parse.quote(name, safe='')}")  # fmt: skip


def _console_escape(text: str) -> str:
    """The CloudWatch console's fragment encoding: URL-encoded, then each `%` as `$25`."""
    return urllib.parse.quote(text, safe="").replace("%", "$25")


def log_stream_url(arn: str, stream: str) -> str | None:
    """A log stream of the job in the CloudWatch console (None as for `console_url`)."""
    if (console := _console(arn)) is None:
        return None
    region, host = console
    return (f"https://{host}/cloudwatch/home?region={region}"
            f"#logsV2:log-groups/log-group/{_console_escape(LOG_GROUP)}"
            f"/log-events/{_console_escape(stream)}")  # fmt: skip


def sections(
    job: TrainingJob,
    *,
    tags: Mapping[str, str] | None = None,
    streams: Sequence[str] = (),
    now: dt.datetime | None = None,
) -> list[Section]:
    """What the console's job page shows, section by section; a section with nothing to
    show is left out."""
    raw: dict[str, Any] = job.raw
    algorithm = raw.get("AlgorithmSpecification", {})
    resources = raw.get("ResourceConfig", {})
    stopping = raw.get("StoppingCondition", {})
    output = raw.get("OutputDataConfig", {})

    summary = Section("Job")
    summary.add("ARN", job.arn)
    summary.add("role", job.role_arn)
    summary.add("image", job.image)
    summary.add("input mode", algorithm.get("TrainingInputMode"))
    summary.add("instances", f"{job.instance_type} × {job.instance_count}"
                + ("  (managed spot)" if job.use_spot else ""))  # fmt: skip
    summary.add("warm pool", job.warm_pool())
    summary.add("created", when(job.created))
    summary.add("started", when(job.started))
    summary.add("ended", when(job.ended))
    summary.add("elapsed", duration(job.elapsed(now)))
    summary.add("billable", duration(job.billable_seconds))
    summary.add("est. cost", money(job.cost(now)))
    if (spot := job.spot_savings) is not None:
        summary.add("spot savings", f"{spot:.0%}")
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
    vpc = raw.get("VpcConfig", {})
    network.add("subnets", ", ".join(vpc.get("Subnets", [])))
    network.add("security groups", ", ".join(vpc.get("SecurityGroupIds", [])))
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

    environment = Section("Environment")
    for key, value in sorted(raw.get("Environment", {}).items()):
        environment.add(key, value)

    tagged = Section("Tags")
    for key, value in sorted((tags or {}).items()):
        tagged.add(key, value)

    links = Section("Links")
    links.add("console", console_url(job.arn, job.name))
    for stream in streams:
        links.add(f"logs {stream.rsplit('/', 1)[-1]}", log_stream_url(job.arn, stream))

    history = Section("Status history")
    for step in job.transitions:
        took = duration(step.end - step.start) if step.end else "…"
        history.add(step.status, f"{when(step.start)}  took {took}"
                    + (f"  {step.message}" if step.message else ""))  # fmt: skip

    every = [summary, history, limits, network, hyper, channels, outputs, rules, metrics,
             environment, tagged, links]  # fmt: skip
    return [section for section in every if section.rows]
