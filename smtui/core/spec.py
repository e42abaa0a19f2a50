"""`JobSpec`: everything needed to submit one training job, with the origin of each value.

The CLI, the submit form and resubmit all produce a `JobSpec`; the request builder turns
it into a CreateTrainingJob request. Forms are views of it; they never build requests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from smtui.core.hyperparams import Hyperparameter
from smtui.core.origin import Origin


@dataclass(frozen=True)
class ImageShorthand:
    """`image: {framework, version, py-version}`, resolved to an ECR URI by the SDK's tables."""

    framework: str
    version: str
    py_version: str | None = None
    base_framework: str | None = None
    """For images built on another framework (HuggingFace): e.g. `pytorch2.1.0`."""


@dataclass(frozen=True)
class MetricDefinition:
    """A metric SageMaker scrapes from the logs with a regex (first group is the value)."""

    name: str
    regex: str


@dataclass(frozen=True)
class VpcSettings:
    """The job's VPC: its subnets and security groups."""

    subnets: tuple[str, ...]
    security_groups: tuple[str, ...]


@dataclass(frozen=True)
class ChannelOptions:
    """How one channel is read: its input mode and whether hosts share it out by key."""

    input_mode: str | None = None
    """File, FastFile or Pipe; None: the job's `input-mode`."""
    sharded: bool = False
    """ShardedByS3Key: each host gets a share of the objects instead of all of them."""


@dataclass(frozen=True)
class SyncSettings:
    """Defaults for `smtui sync-data`: the local folder and, optionally, the destination."""

    src: str
    dest: str | None = None


@dataclass
class JobSpec:
    """A fully resolved job configuration. Field docs double as the config reference."""

    config_path: Path
    """The config file this spec was resolved from; relative paths are relative to its folder."""
    image_uri: str | None = None
    """Training image URI. Either this or `image` must be set."""
    image: ImageShorthand | None = None
    """Framework shorthand resolved offline with the SageMaker SDK's image tables."""
    role_arn: str | None = None
    """SageMaker execution role ARN (required on the aws backend)."""
    bucket: str | None = None
    """S3 bucket holding data, code, outputs and stored configs."""
    prefix: str = "jobber-run"
    """Key prefix inside the bucket (no leading or trailing slash)."""
    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    backend: str = "aws"
    entry_point: str | None = None
    """The script to run, relative to `source_dir`."""
    source_dir: str = "code-bundle"
    """Folder uploaded as `sourcedir.tar.gz`, relative to the config file."""
    instance_type: str = "ml.m5.xlarge"
    instance_count: int = 1
    use_spot: bool = False
    max_wait_seconds: int | None = None
    max_run_seconds: int = 86400
    max_cost: float | None = None
    """USD: a submit that could cost more (its max runtime on every instance) is refused."""
    volume_size_gb: int = 30
    job_name: str | None = None
    """Base name; a timestamp suffix is added at submit time."""
    tail_logs: bool = False
    ensure_data: bool = True
    channels: dict[str, str] = field(default_factory=lambda: {"train": "data/"})
    checkpoints: bool | str = False
    distribution: str = "none"
    environment: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    metric_definitions: list[MetricDefinition] = field(default_factory=list)
    keep_alive_seconds: int | None = None
    launch: str = "script"
    input_mode: str = "File"
    """The job's TrainingInputMode: File, FastFile or Pipe."""
    channel_options: dict[str, ChannelOptions] = field(default_factory=dict)
    retry_attempts: int | None = None
    """RetryStrategy: SageMaker restarts the job on internal errors, up to this many tries."""
    vpc: VpcSettings | None = None
    network_isolation: bool = False
    inter_container_encryption: bool = False
    volume_kms_key: str | None = None
    output_kms_key: str | None = None
    tensorboard: bool | str = False
    """true → `s3://bucket/prefix/tensorboard/<job>/`, or an S3 URI."""
    infra_check: bool = False
    remote_debug: bool = False
    metrics_time_series: bool = False
    training_plan: str | None = None
    max_pending_seconds: int | None = None
    param_names: str = "normalised"
    """`normalised` (dashes → underscores, jobber's rule) or `as-written` (names sent as
    written, for scripts written for the SDK)."""
    sync: SyncSettings | None = None
    params: list[Hyperparameter] = field(default_factory=list)
    origins: dict[str, Origin] = field(default_factory=dict)
    """Origin of every field, keyed by attribute name (`instance_type`)."""
    warnings: list[str] = field(default_factory=list)
    """Things worth telling the user that do not stop a submit."""

    @property
    def config_dir(self) -> Path:
        return self.config_path.parent

    @property
    def s3_root(self) -> str:
        """`s3://bucket/prefix/`, always with the trailing slash."""
        prefix = f"{self.prefix}/" if self.prefix else ""
        return f"s3://{self.bucket}/{prefix}"

    @property
    def data_uri(self) -> str:
        return f"{self.s3_root}data/"

    @property
    def outputs_uri(self) -> str:
        return f"{self.s3_root}outputs/"

    def code_uri(self, job_name: str) -> str:
        return f"{self.s3_root}code/{job_name}/sourcedir.tar.gz"

    def config_uri(self, job_name: str) -> str:
        return f"{self.s3_root}configs/{job_name}.yml"

    def origin(self, attr: str) -> Origin:
        """The origin of a field (a default when nothing recorded one)."""
        return self.origins.get(attr, Origin.default())
