"""Resubmit: a new CreateTrainingJob request cloned from a past job's description.

The description is what actually ran, so the clone keeps its image, role, channels, code
bundle and settings; only the given changes and the job name differ.
"""

from __future__ import annotations

import json
import re
from collections.abc import Container, Iterable
from typing import Any

from smtui.core.apimodel import Violation, check_request
from smtui.core.errors import Problem, UsageError
from smtui.core.hyperparams import (
    Hyperparameter,
    check_limits,
    normalise_key,
    plain_value,
    render_argv,
    wire_value,
)
from smtui.core.instances import check_instance_type
from smtui.core.origin import Origin
from smtui.core.request import CONFIG_TAG, LOCAL_MAX_HOSTS

COPIED = (
    "AlgorithmSpecification", "RoleArn", "HyperParameters", "InputDataConfig", "OutputDataConfig",
    "ResourceConfig", "StoppingCondition", "EnableManagedSpotTraining", "CheckpointConfig",
    "Environment", "VpcConfig", "EnableNetworkIsolation", "EnableInterContainerTrafficEncryption",
    "RetryStrategy", "TensorBoardOutputConfig", "InfraCheckConfig", "RemoteDebugConfig",
)  # fmt: skip
_SUFFIX = re.compile(r"-\d{8}-\d{6}-\d{3}$|-\d{4}(-\d{2}){5}-\d{3}$")


def base_name(job_name: str) -> str:
    """The job's base name: its name without smtui's (or the SDK's) timestamp suffix."""
    return _SUFFIX.sub("", job_name)[:43].rstrip("-") or "job"


def clone_request(
    description: dict[str, Any],
    new_name: str,
    params: dict[str, str] | None = None,
    instance_type: str | None = None,
    instance_count: int | None = None,
    config_uri: str | None = None,
    removed: Iterable[str] = (),
    *,
    spot: bool | None = None,
    max_run: int | None = None,
) -> dict[str, Any]:
    """CreateTrainingJob kwargs for a copy of `description` named `new_name`, with changes.

    `params` maps names (any spelling; normalised here) to values as typed; `removed` names
    hyperparameters to leave out. In script mode the new values are JSON-encoded as a submit
    encodes them; the job's own values are kept exactly as they were sent (encoded or, for
    older jobs, plain: the toolkit reads both). Raises `UsageError` for a bad instance type,
    count, or hyperparameter limits, and for two params that normalise to the same name.
    `spot` and `max_run` (None: unchanged) switch managed spot and set the maximum runtime;
    spot waits as long as it may run unless the job had a longer wait."""
    old_name = description["TrainingJobName"]
    request: dict[str, Any] = {k: _copy(description[k]) for k in COPIED if k in description}
    request["TrainingJobName"] = new_name
    algorithm = request.setdefault("AlgorithmSpecification", {})
    for key in ("TrainingImageConfig", "EnableSageMakerMetricsTimeSeries"):
        algorithm.pop(key, None)
    # `launch: command` jobs run smtui's own entrypoint: no toolkit decodes their values.
    script = "ContainerEntrypoint" not in algorithm
    hps: dict[str, str] = request.setdefault("HyperParameters", {})
    if "sagemaker_job_name" in hps:
        encoded = hps["sagemaker_job_name"].startswith('"')
        hps["sagemaker_job_name"] = json.dumps(new_name) if encoded else new_name
    # A name the job already has is kept as it is (a job sent with `param-names: as-written`
    # has dashes); any other is normalised, as a submit does.
    for name in removed:
        hps.pop(name if name in hps else normalise_key(name), None)
    problems: list[Problem] = []
    changed: dict[str, Hyperparameter] = {}
    for written, value in (params or {}).items():
        name = written if written in hps else normalise_key(written)
        if name in changed:
            problems.append(
                Problem(
                    f"'{written}' and '{changed[name].written}' both normalise to '{name}'; "
                    "keep one",
                    "--param",
                )
            )
            continue
        hps[name] = wire_value(value, script)
        changed[name] = Hyperparameter(written, value, Origin.flag("--param"))
    reserved = {k: v for k, v in hps.items() if k.startswith("sagemaker_")}
    user = [
        changed.get(k)
        or Hyperparameter(
            k, plain_value(v) if script else v, Origin.default("cloned"), v if script else None
        )
        for k, v in hps.items()
        if k not in reserved
    ]
    problems += check_limits(
        user, {k: v for k, v in reserved.items() if k not in changed}, script=script
    )
    if "ContainerArguments" in algorithm:
        algorithm["ContainerArguments"] = render_argv(hps, decode=False)
    resources = request.setdefault("ResourceConfig", {})
    if instance_type is not None:
        try:
            resources["InstanceType"] = check_instance_type(instance_type)
        except ValueError as exc:
            problems.append(Problem(str(exc), "--instance-type"))
    if instance_count is not None:
        if instance_count < 1:
            problems.append(
                Problem(f"must be at least 1, got {instance_count}", "--instance-count")
            )
        resources["InstanceCount"] = instance_count
    stopping = request.setdefault("StoppingCondition", {})
    if max_run is not None:
        stopping["MaxRuntimeInSeconds"] = max_run
    if spot is not None:
        request["EnableManagedSpotTraining"] = spot
    if request.get("EnableManagedSpotTraining"):
        runtime = stopping.get("MaxRuntimeInSeconds", 0)
        stopping["MaxWaitTimeInSeconds"] = max(stopping.get("MaxWaitTimeInSeconds", 0), runtime)
    else:
        stopping.pop("MaxWaitTimeInSeconds", None)
    checkpoint = request.get("CheckpointConfig", {})
    if old_name in checkpoint.get("S3Uri", ""):
        checkpoint["S3Uri"] = checkpoint["S3Uri"].replace(f"/{old_name}/", f"/{new_name}/")
    if config_uri:
        request["Tags"] = [{"Key": CONFIG_TAG, "Value": config_uri}]
    if not problems:
        problems = [_flagged(v, changed) for v in check_request(request)]
    if problems:
        raise UsageError(problems)
    return request


def _flagged(violation: Violation, changed: Container[str]) -> Problem:
    """A model violation in a clone, named by the flag that caused it where one did."""
    path = violation.path
    message = f"{violation.where} {violation.message} (the API would refuse it)"
    if path[:1] == ("HyperParameters",) and len(path) > 1 and path[1] in changed:
        return Problem(message, "--param")
    if path[:1] == ("ResourceConfig",) and len(path) > 1:
        flag = {"InstanceCount": "--instance-count", "InstanceType": "--instance-type"}
        return Problem(message, flag.get(str(path[1])))
    if path[:1] == ("StoppingCondition",):
        return Problem(message, "--max-run")
    return Problem(f"{message}; it comes from the job being cloned", None)


def check_local_hosts(count: int, where: str) -> None:
    """Refuse more hosts than the local backend runs: each is a process tree with its own
    copy of the channels on this machine. Raises `UsageError`."""
    if count > LOCAL_MAX_HOSTS:
        raise UsageError(
            Problem(
                f"{count} hosts: the local backend runs at most {LOCAL_MAX_HOSTS} (each host is "
                "a process tree with its own copy of the data on this machine)",
                where,
            )
        )


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
