"""The request a spec builds, checked against the API's model, each problem put back on
the config key (and line) that made it.

`validate_spec` runs this on every resolve, so the CLI, `submit --dry-run`, the submit form
and the configs pane all see the same problems; `checked_request` runs it once more on the
request about to be sent (with the real image URI and job name) before anything is uploaded.
"""

from __future__ import annotations

from typing import Any

from smtui.core.apimodel import Violation, check_request
from smtui.core.errors import ConfigError, Problem
from smtui.core.origin import Source
from smtui.core.request import CODE_CHANNEL, CONFIG_TAG, build_request
from smtui.core.spec import JobSpec

_FIELDS = {
    "TrainingJobName": "job_name",
    "RoleArn": "role_arn",
    "OutputDataConfig": "prefix",
    "CheckpointConfig": "checkpoints",
    "EnableManagedSpotTraining": "use_spot",
    ("AlgorithmSpecification", "TrainingImage"): "image_uri",
    ("AlgorithmSpecification", "ContainerEntrypoint"): "entry_point",
    ("AlgorithmSpecification", "ContainerArguments"): "params",
    ("ResourceConfig", "InstanceType"): "instance_type",
    ("ResourceConfig", "InstanceCount"): "instance_count",
    ("ResourceConfig", "VolumeSizeInGB"): "volume_size_gb",
    ("ResourceConfig", "KeepAlivePeriodInSeconds"): "keep_alive_seconds",
    ("StoppingCondition", "MaxRuntimeInSeconds"): "max_run_seconds",
    ("StoppingCondition", "MaxWaitTimeInSeconds"): "max_wait_seconds",
    ("StoppingCondition", "MaxPendingTimeInSeconds"): "max_pending_seconds",
    ("ResourceConfig", "VolumeKmsKeyId"): "volume_kms_key",
    ("ResourceConfig", "TrainingPlanArn"): "training_plan",
    ("OutputDataConfig", "KmsKeyId"): "output_kms_key",
    ("AlgorithmSpecification", "TrainingInputMode"): "input_mode",
    "RetryStrategy": "retry_attempts",
    "VpcConfig": "vpc",
    "TensorBoardOutputConfig": "tensorboard",
    "Environment": "environment",
    "InputDataConfig": "channels",
    "Tags": "tags",
}
"""Request fields → the `JobSpec` attribute whose value they carry."""
_TOOLKIT_FROM = {
    "sagemaker_program": "entry_point",
    "sagemaker_submit_directory": "prefix",
    "sagemaker_job_name": "job_name",
    "sagemaker_region": "region",
}
"""smtui's own hyperparameters → the key they are made from."""


def _at(spec: JobSpec, attr: str, message: str, entry: str | None = None) -> Problem:
    """A problem located at `attr` (or its `entry`, a tag or variable name), as written."""
    key = f"submit.{attr.replace('_', '-')}" + (f".{entry}" if entry is not None else "")
    origin = spec.origins.get(f"{attr}.{entry}") if entry is not None else None
    origin = origin or spec.origin(attr)
    if origin.source is Source.FLAG:
        return Problem(message, origin.detail)
    if origin.source is Source.DEFAULT:
        return Problem(message, key, spec.config_path)
    return origin.problem(message, key)


def _locate(spec: JobSpec, v: Violation) -> Problem:
    message = f"{v.where} {v.message} (the API would refuse it)"
    top = v.path[0]
    sub = v.path[1] if len(v.path) > 1 else None
    if top == "HyperParameters" and isinstance(sub, str):
        for p in spec.params:
            if p.name == sub:
                return p.origin.problem(message, f"params.{p.written}")
        return _at(spec, _TOOLKIT_FROM.get(sub, "params"), message)
    if top == "Tags" and isinstance(sub, int):
        names = list(spec.tags)
        if sub < len(names):
            return _at(spec, "tags", message, names[sub])
        return _at(
            spec,
            "prefix",
            f"{message}; this is smtui's own tag {CONFIG_TAG}, the stored config's URI, made "
            "from bucket and prefix: change the prefix",
        )
    if top == "Environment" and isinstance(sub, str):
        return _at(spec, "environment", message, sub)
    if top == "InputDataConfig" and isinstance(sub, int):
        names = list(spec.channels)
        if sub < len(names):
            return _at(spec, "channels", message, names[sub])
        return _at(spec, "prefix", f"{message} (the {CODE_CHANNEL} channel)")
    if top == "AlgorithmSpecification" and sub == "MetricDefinitions":
        index = v.path[2] if len(v.path) > 2 else None
        entry = str(index + 1) if isinstance(index, int) else None  # numbered from 1, as in errors
        return _at(spec, "metric_definitions", message, entry)
    if top == "Tags" and sub is None and v.message.startswith("has "):
        message += f"; one of them is smtui's own {CONFIG_TAG}"
    if top == "InputDataConfig" and sub is None and CODE_CHANNEL not in spec.channels:
        if spec.launch == "command" and v.message.startswith("has "):
            message += f"; one of them is the {CODE_CHANNEL} channel `launch: command` adds"
    attr = _FIELDS.get((str(top), str(sub))) or _FIELDS.get(str(top))
    if attr == "image_uri" and spec.image is not None:
        attr = "image"
    if attr is not None:
        return _at(spec, attr, message)
    return Problem(message, None, spec.config_path)


def request_problems(spec: JobSpec, request: dict[str, Any]) -> list[Problem]:
    """What the API would refuse in `request` (built from `spec`), on the keys to change."""
    return [_locate(spec, v) for v in check_request(request)]


def checked_request(spec: JobSpec, job_name: str, image_uri: str) -> dict[str, Any]:
    """The request for `spec`, once the API's model accepts it; raises `ConfigError`."""
    request = build_request(spec, job_name, image_uri)
    problems = request_problems(spec, request)
    if problems:
        raise ConfigError(problems)
    return request
