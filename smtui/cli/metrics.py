"""`smtui metrics JOB`: each host's instance metrics, as sparklines with the current value,
and what is wrong with a job in Training (an idle host, a straggler); `--json` prints
GetMetricData's `MetricDataResults`."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from smtui.cli.common import lenient_spec, make_backend_for, resolve_job, run_async
from smtui.cli.logs import parse_age
from smtui.cli.render import to_json
from smtui.core.errors import UsageError
from smtui.core.hostmetrics import (
    METRICS,
    SHORT,
    HostSeries,
    hardware,
    job_flags,
    read_results,
    spark,
)
from smtui.core.hostmetrics import shown_value as shown_as
from smtui.core.jobs import TrainingJob
from smtui.core.safetext import clean
from smtui.services.backend import Backend

WIDTH = 40
"""Points in each sparkline (the newest)."""


def metric_lines(series: HostSeries, gpus: int, vcpus: int) -> list[str]:
    """One line per host and metric: `algo-1  GPU      ▁▂▅▇  87 %/GPU`, on a fixed scale
    (0-100 % per GPU; 0-100 % per core for CPU)."""
    out: list[str] = []
    for host, metrics in series.items():
        label = host
        for metric in METRICS:
            points = metrics[metric]
            if not points.values:
                continue
            line = spark(points, metric, gpus, vcpus, WIDTH)
            value = shown_as(metric, points.current, gpus) or 0.0
            unit = "%/GPU" if metric.startswith("GPU") and gpus > 1 else "%"
            out.append(f"{label:<8}{SHORT[metric]:<9}{line:<{WIDTH}}  {value:.0f} {unit}")
            label = ""
    return out


async def _read(
    backend: Backend, job: str, since: float
) -> tuple[TrainingJob, list[dict[str, Any]]]:
    described = await backend.jobs.describe_job(job)
    if backend.metrics is None:
        raise UsageError(f"the {backend.name} backend has no instance metrics")
    end = dt.datetime.now(dt.UTC)
    start = end - dt.timedelta(seconds=since)
    results = await backend.metrics.host_metrics(job, described.instance_count, start, end)
    return described, results


def run(args: argparse.Namespace) -> int:
    from smtui.services.settings import stall_thresholds

    since = parse_age(args.since) if args.since else 3600.0
    thresholds = stall_thresholds()  # a bad settings file is said before any call
    backend = make_backend_for(lenient_spec(args), args)
    job = resolve_job(args, backend)
    described, results = run_async(_read(backend, job, since))
    if args.json:
        print(json.dumps(to_json(results), indent=2))
        return 0
    gpus, vcpus = hardware(described.instance_type)
    series = read_results(results, described.instance_count)
    shown = metric_lines(series, gpus, vcpus)
    if not shown:
        print(clean(f"smtui: {job} has no instance metrics in that time (SageMaker publishes "
                    "them a minute apart while the job runs)"))  # fmt: skip
        return 0
    if gpus > 1:
        print(f"GPU values are per GPU: SageMaker sums them over the {gpus} GPUs of "
              f"{described.instance_type} (0-{100 * gpus} %)")  # fmt: skip
    for line in shown:
        print(clean(line))
    found = job_flags(described, series, now=dt.datetime.now(dt.UTC), thresholds=thresholds)
    for flag in found:
        print(clean(f"⚠ {flag.text}"))
    return 0
