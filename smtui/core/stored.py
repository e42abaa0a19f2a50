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

from smtui.core import schema
from smtui.core.secrets import masked_environment
from smtui.core.spec import JobSpec

CLIENT_SIDE = ("endpoint-url", "profile")
"""Keys that say how this submitter connects, not what the job is: never stored."""


def _plain(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return {k.replace("_", "-"): _plain(v) for k, v in vars(value).items() if v is not None}
    if isinstance(value, list):
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
