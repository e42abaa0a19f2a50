"""The config stored beside every submitted job (`s3://B/P/configs/<job>.yml`).

It is the fully resolved config in jobber's format, with the origin of each value as a
comment, so a teammate can read what ran and resubmit it, and `smtui` can show it.

Everyone who can read the bucket reads it, so it holds nothing of the submitter's own:
`endpoint-url` (which may carry a password) and `profile` are client-side settings and are
left out, and environment values that look secret are masked (see `core.secrets`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

from smtui.core import checks, schema
from smtui.core.errors import Problem, UsageError
from smtui.core.hyperparams import normalise_key
from smtui.core.secrets import masked_environment
from smtui.core.spec import JobSpec

CLIENT_SIDE = ("endpoint-url", "profile")
"""Keys that say how this submitter connects, not what the job is: never stored."""


def _plain(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return {k.replace("_", "-"): _plain(v) for k, v in vars(value).items() if v is not None}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def stored_config(spec: JobSpec, job_name: str, image_uri: str, request: dict[str, Any]) -> str:
    """The YAML text stored for a job submitted from `spec`."""
    submit: dict[str, Any] = {}
    origins = []
    for f in schema.FIELDS:
        value = getattr(spec, f.attr)
        if value is None or f.name in ("image", "sync") or f.name in CLIENT_SIDE:
            continue
        if f.name == "environment":
            value = masked_environment(value)
        submit[f.name] = _plain(value)
        origins.append(f"#   {f.name}: {spec.origin(f.attr)}")
    submit["image-uri"] = image_uri
    submit["job-name"] = job_name
    submit["params"] = {p.written: p.value for p in spec.params}
    origins += [f"#   params.{p.written}: {p.origin}" for p in spec.params]
    header = [
        f"# smtui: the resolved config of training job {job_name}",
        f"# submitted {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M:%S} UTC from {spec.config_path}",
        f"# code: {request['HyperParameters'].get('sagemaker_submit_directory', 'code channel')}",
        "# where each value came from:",
        *origins,
    ]
    body = yaml.safe_dump({"provider": "aws", "submit": submit}, sort_keys=False, width=100)
    return "\n".join(header) + "\n" + body


def stored_max_cost(text: str, where: str) -> float | None:
    """The `max-cost` a stored config sets (None: none set, or no readable config).
    `UsageError` when it sets one that is not an amount: a limit is never guessed."""
    try:
        loaded = yaml.safe_load(text) if text else None
    except yaml.YAMLError:
        return None
    submit = loaded.get("submit") if isinstance(loaded, dict) else None
    if not isinstance(submit, dict):
        return None
    value = submit.get("max-cost", submit.get("max_cost"))
    if value is None:
        return None
    try:
        return checks.amount(value)
    except ValueError as exc:
        raise UsageError(Problem(str(exc), f"submit.max-cost (in {where})")) from None


def resubmitted_config(
    text: str,
    old_job: str,
    new_name: str,
    params: dict[str, str],
    removed: list[str],
    instance_type: str | None = None,
    instance_count: int | None = None,
) -> str:
    """The stored config of a resubmit: the old job's resolved config (`text`) with the
    resubmit's changes applied, so it says what was submitted rather than what the first
    job ran. The old header follows the new one, as the history of each value."""
    changes = ", ".join([f"{k}={v}" for k, v in params.items()] + [f"-{k}" for k in removed])
    header = [
        f"# resubmitted from {old_job} as {new_name}; changed params: {changes or 'none'}",
        f"# smtui: the resolved config of training job {new_name}",
        f"# resubmitted {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M:%S} UTC",
    ]
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError:
        loaded = None
    if not isinstance(loaded, dict) or not isinstance(loaded.get("submit"), dict):
        return "\n".join([*header, f"# {old_job} has no readable stored config"]) + "\n"
    submit: dict[str, Any] = loaded["submit"]
    submit["job-name"] = new_name
    hyper = submit.get("params")
    hyper = dict(hyper) if isinstance(hyper, dict) else {}
    for name in [*removed, *params]:  # a changed param replaces every spelling of its name
        for key in [k for k in hyper if normalise_key(str(k)) == normalise_key(name)]:
            del hyper[key]
    hyper |= params
    submit["params"] = hyper
    if instance_type is not None:
        submit["instance-type"] = instance_type
    if instance_count is not None:
        submit["instance-count"] = instance_count
    history = [f"# {old_job}'s stored config said:"] + [
        line for line in text.splitlines() if line.startswith("#")
    ]
    body = yaml.safe_dump(loaded, sort_keys=False, width=100)
    return "\n".join([*header, *history]) + "\n" + body
