"""The keys of `jobber.yml`'s `submit:` section: checker, default, environment, doc.

jobber's keys come first and keep their meaning; smtui's additions follow. Keys are
written with dashes here and accepted with dashes or underscores in files.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from smtui.core import apimodel, checks
from smtui.core.checks import Checker
from smtui.core.instances import check_instance_type
from smtui.core.place import PLACE_ENV, REGION_PATTERN
from smtui.core.spec import (
    ChannelOptions,
    ImageShorthand,
    MetricDefinition,
    SyncSettings,
    VpcSettings,
)

MAX_SECONDS = 28 * 24 * 3600
"""SageMaker's ceiling for MaxRuntime and MaxWait: 28 days."""
JOB_BASE_MAX = 43
"""63 characters minus the 20-character timestamp suffix smtui appends. (A constant, for
the CLI's usage checks; tests/core/test_schema_limits.py pins it to the model's
TrainingJobName, as it pins every limit smtui still writes down.)"""
JOB_NAME_PATTERN = r"[a-zA-Z0-9](-*[a-zA-Z0-9])*"
"""The model's TrainingJobName pattern without its length (the base's is JOB_BASE_MAX)."""
S3_URI = r"s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](/.*)?"


def _nested(value: Any, allowed: tuple[str, ...], required: tuple[str, ...]) -> dict[str, Any]:
    """Normalise a nested mapping's keys and check them against `allowed`."""
    if not isinstance(value, dict):
        raise ValueError(
            f"must be a mapping with {', '.join(allowed)}; got {checks.describe(value)}"
        )
    out: dict[str, Any] = {}
    for key, item in value.items():
        name = str(key).replace("_", "-")
        if name not in allowed:
            raise ValueError(f"has unknown key '{key}' (allowed: {', '.join(allowed)})")
        out[name] = item
    missing = [k for k in required if k not in out]
    if missing:
        raise ValueError(f"needs {', '.join(missing)}")
    return out


def _image(value: Any) -> ImageShorthand:
    item = _nested(
        value, ("framework", "version", "py-version", "base-framework"), ("framework", "version")
    )
    py, base = item.get("py-version"), item.get("base-framework")
    return ImageShorthand(
        checks.text(item["framework"]).lower(),
        checks.version_text(item["version"]),
        checks.text(py) if py is not None else None,
        checks.version_text(base) if base is not None else None,
    )


_INPUT_MODES = {"file": "File", "fastfile": "FastFile", "pipe": "Pipe"}


def _input_mode(value: Any) -> str:
    return _INPUT_MODES[checks.choice(*_INPUT_MODES)(value)]


def _channel_options(value: Any) -> dict[str, ChannelOptions]:
    if not isinstance(value, dict):
        raise ValueError(f"must be a mapping of channel names; got {checks.describe(value)}")
    out = {}
    for name, item in value.items():
        try:
            entry = _nested(item, ("input-mode", "sharded"), ())
            mode = entry.get("input-mode")
            sharded = entry.get("sharded", False)
            out[str(name)] = ChannelOptions(
                _input_mode(mode) if mode is not None else None, checks.flag(sharded)
            )
        except ValueError as exc:
            raise ValueError(f"channel '{name}' {exc}") from None
    return out


def _vpc(value: Any) -> VpcSettings:
    item = _nested(value, ("subnets", "security-groups"), ("subnets", "security-groups"))
    lists = []
    for key in ("subnets", "security-groups"):
        ids = item[key]
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise ValueError(f"{key} must be a list of IDs; got {checks.describe(ids)}")
        lists.append(tuple(ids))
    return VpcSettings(lists[0], lists[1])


def _channels(value: Any) -> dict[str, str]:
    # Names (the ChannelName pattern) and how many (InputDataConfig) are the API model's,
    # checked with the request.
    mapping: dict[str, str] = checks.text_mapping()(value)
    for name, where in mapping.items():
        if where.startswith("s3://"):
            if not re.fullmatch(S3_URI, where):
                raise ValueError(f"channel '{name}': '{where}' is not a valid S3 URI")
        elif where.startswith("/") or ".." in where.split("/") or "://" in where:
            raise ValueError(
                f"channel '{name}': '{where}' must be an s3:// URI or a path under s3://bucket/prefix/"
            )
    return mapping


def _checkpoints(value: Any) -> bool | str:
    if isinstance(value, bool):
        return value
    where = checks.text(value)
    if where.startswith("s3://") and not re.fullmatch(S3_URI, where):
        raise ValueError(f"'{where}' is not a valid S3 URI")
    return where


def _tags(value: Any) -> dict[str, str]:
    # Lengths, characters (a Java pattern) and how many tags (smtui's own included) are the
    # API model's, checked with the request; the model does not know `aws:` is reserved.
    tags: dict[str, str] = checks.text_mapping()(value)
    for key in tags:
        if key.lower().startswith("aws:"):
            raise ValueError(f"tag '{key}': keys starting with 'aws:' are reserved by AWS")
    return tags


def _metrics(value: Any) -> list[MetricDefinition]:
    if not isinstance(value, list):
        raise ValueError(f"must be a list of {{name, regex}}; got {checks.describe(value)}")
    # How many, and the lengths of names and regexes: the API model's, with the request.
    out = []
    for n, item in enumerate(value, 1):
        try:
            entry = _nested(item, ("name", "regex"), ("name", "regex"))
            regex = checks.text(entry["regex"])
            re.compile(regex)
        except (ValueError, re.error) as exc:
            raise ValueError(f"entry {n} {exc}") from None
        out.append(MetricDefinition(checks.text(entry["name"]), regex))
    return out


def _sync(value: Any) -> SyncSettings:
    item = _nested(value, ("src", "dest"), ("src",))
    dest = item.get("dest")
    if dest is not None and not re.fullmatch(S3_URI, checks.text(dest)):
        raise ValueError(f"dest '{dest}' is not an s3:// URI")
    return SyncSettings(checks.text(item["src"]), dest)


def _prefix(value: Any) -> str:
    if value == "":
        return ""
    prefix = checks.text(value).strip("/")
    if "//" in prefix:
        raise ValueError(f"'{value}' has an empty path segment")
    if any(unicodedata.category(c) == "Cc" for c in prefix):
        raise ValueError(f"{prefix!r} has a control character (a line break or tab?)")
    return prefix


_BUCKET_AFFIXES = (
    ("xn--", "sthree-", "amzn-s3-demo-"),
    ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"),
)
"""Prefixes and suffixes S3 reserves in general-purpose bucket names."""


def _bucket(value: Any) -> str:
    """A bucket name under S3's naming rules (general-purpose buckets)."""
    name = checks.text(value)
    rules = "S3 bucket names are 3–63 lowercase letters, digits, dots and dashes"
    if not re.fullmatch(r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]", name, re.ASCII):
        raise ValueError(
            f"'{name}' is not a valid S3 bucket name ({rules}, "
            "starting and ending with a letter or digit)"
        )
    if ".." in name:
        raise ValueError(f"'{name}' is not a valid S3 bucket name (two dots side by side)")
    if re.fullmatch(r"\d+\.\d+\.\d+\.\d+", name):
        raise ValueError(f"'{name}' is not a valid S3 bucket name (it looks like an IP address)")
    prefixes, suffixes = _BUCKET_AFFIXES
    reserved = [p for p in prefixes if name.startswith(p)] + [
        s for s in suffixes if name.endswith(s)
    ]
    if reserved:
        raise ValueError(
            f"'{name}' is not a valid S3 bucket name ('{reserved[0]}' is reserved by S3)"
        )
    return name


def _role_arn(value: Any) -> str:
    """An IAM role ARN, as the API model's `RoleArn` pattern and lengths have it."""
    arn = checks.text(value)
    shape = apimodel.member_shape("RoleArn")
    if apimodel.refusals(shape, arn):
        pattern = shape.metadata.get("pattern")
        raise ValueError(
            f"'{arn}' is not an IAM role ARN (RoleArn: {shape.metadata.get('min')}–"
            f"{shape.metadata.get('max')} characters matching the API's pattern {pattern})"
        )
    return arn


@dataclass(frozen=True)
class Field:
    """One key of the `submit:` section."""

    name: str
    check: Checker
    doc: str
    env: tuple[str, ...] = ()
    """Environment variables that set this key, highest precedence first."""

    @property
    def attr(self) -> str:
        """The `JobSpec` attribute the key fills."""
        return self.name.replace("-", "_")


FIELDS: tuple[Field, ...] = (
    Field("image-uri", checks.text, "Training image URI (e.g. an ECR image)."),
    Field("role-arn", _role_arn, "SageMaker execution role ARN."),
    Field("bucket", _bucket, "S3 bucket for data, code, outputs and stored configs."),
    Field("prefix", _prefix, "Key prefix inside the bucket."),
    Field(
        "region",
        checks.matching(REGION_PATTERN, "an AWS region name"),
        "AWS region.",
        PLACE_ENV["region"],
    ),
    Field("entry-point", checks.text, "Script to run, relative to source-dir."),
    Field("source-dir", checks.text, "Folder uploaded as the code bundle, relative to the config."),
    Field("instance-type", check_instance_type, "Training instance type."),
    Field("instance-count", checks.whole(1), "Number of instances (hosts)."),
    Field("use-spot", checks.flag, "Use managed spot training."),
    Field("max-wait-seconds", checks.whole(1, MAX_SECONDS), "Spot: longest wait plus run time."),
    Field(
        "job-name",
        checks.matching(JOB_NAME_PATTERN, "a valid job name base (letters, digits, dashes)"),
        "Job name base; a timestamp suffix is added.",
    ),
    Field("tail-logs", checks.flag, "Follow the job's logs after submitting."),
    Field("ensure-data", checks.flag, "Put a placeholder in an empty data prefix."),
    Field("profile", checks.text, "AWS profile name.", PLACE_ENV["profile"]),
    Field(
        "endpoint-url",
        checks.matching(r"https?://\S+", "an http(s) URL"),
        "Endpoint for S3, SageMaker and Logs (e.g. a moto server).",
        ("AWS_ENDPOINT_URL",),
    ),
    Field("backend", checks.choice("aws", "local"), "aws or local.", ("SMTUI_BACKEND",)),
    Field("image", _image, "{framework, version, py-version}: resolved to an ECR image URI."),
    Field("max-run-seconds", checks.whole(1, MAX_SECONDS), "Maximum run time (default one day)."),
    Field(
        "max-cost",
        checks.amount,
        "Refuse a submit that could cost more (USD: max runtime × instances × price).",
    ),
    Field("volume-size-gb", checks.whole(1, 16384), "EBS volume per instance."),
    Field(
        "channels",
        _channels,
        "Input channels: name -> s3:// URI or path under s3://bucket/prefix/.",
    ),
    Field("checkpoints", _checkpoints, "true, or an S3 URI, to sync /opt/ml/checkpoints."),
    Field(
        "distribution", checks.choice("torch_distributed", "mpi", "none"), "Multi-node launcher."
    ),
    Field(
        "environment",
        checks.text_mapping(),  # names, lengths and how many: the API model's
        "Environment variables for the container.",
    ),
    Field("tags", _tags, "Tags for the training job."),
    Field("metric-definitions", _metrics, "Metrics scraped from logs: list of {name, regex}."),
    # The bounds of these three are the API model's (0–21600, 1–30 and 1800–2419200 today),
    # checked with the request and reported on the key.
    Field("keep-alive-seconds", checks.whole(), "Warm pool keep-alive period."),
    Field("launch", checks.choice("script", "command"), "script (toolkit) or command (any image)."),
    Field("input-mode", _input_mode, "File, FastFile or Pipe: how channels are read."),
    Field(
        "channel-options",
        _channel_options,
        "Per channel: {input-mode, sharded} (sharded: ShardedByS3Key).",
    ),
    Field("retry-attempts", checks.whole(), "RetryStrategy: tries on internal errors."),
    Field("vpc", _vpc, "{subnets, security-groups}: run the job in your VPC."),
    Field("network-isolation", checks.flag, "No network access from the container."),
    Field("inter-container-encryption", checks.flag, "Encrypt traffic between hosts."),
    Field("volume-kms-key", checks.text, "KMS key for the instances' volumes."),
    Field("output-kms-key", checks.text, "KMS key for the model artifacts."),
    Field("tensorboard", _checkpoints, "true, or an S3 URI, for /opt/ml/output/tensorboard."),
    Field("infra-check", checks.flag, "Run SageMaker's infrastructure health check first."),
    Field("remote-debug", checks.flag, "Allow remote debugging (SSM) into the job."),
    Field("metrics-time-series", checks.flag, "SageMaker Metrics time series for the metrics."),
    Field("training-plan", checks.text, "Training plan ARN (reserved capacity)."),
    Field("max-pending-seconds", checks.whole(), "Longest wait for capacity (training plans)."),
    Field(
        "param-names",
        checks.choice("normalised", "as-written"),
        "normalised (dashes → underscores) or as-written: how hyperparameter names are sent.",
    ),
    Field("sync", _sync, "{src, dest}: defaults for sync-data."),
)
BY_ATTR = {f.attr: f for f in FIELDS}

JOBBER_GCP_KEYS = frozenset(
    {
        "project",
        "gcs_bucket",
        "gcs_prefix",
        "machine_type",
        "accelerator_type",
        "accelerator_count",
        "replica_count",
        "service_account",
        "network",
        "subnet",
    }
)
"""jobber's Vertex AI keys under `submit:`: accepted and ignored when the provider is aws."""
SPECIAL_KEYS = frozenset({"params", "provider"})
"""`submit:` keys handled outside the field table."""
TOP_LEVEL_KEYS = ("provider", "build", "push", "submit", "sync-data")
