"""Build the exact CreateTrainingJob request (boto3 keyword arguments) from a `JobSpec`.

Script mode (the default) sets the training toolkit's `sagemaker_program` and
`sagemaker_submit_directory`, so every image carrying the toolkit runs the entry point
with the hyperparameters as arguments. `launch: command` is for images without it: the
code bundle arrives as a `code` channel and a shell entrypoint unpacks and runs it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shlex
from typing import Any

from smtui.core.hyperparams import render_argv
from smtui.core.instances import load_catalogue
from smtui.core.spec import ChannelOptions, JobSpec

CONFIG_TAG = "smtui:config"
"""Tag whose value is the S3 URI of the job's stored, fully resolved config."""
LOG_LEVEL = "20"
CHECKPOINT_PATH = "/opt/ml/checkpoints"
CODE_CHANNEL = "code"
LOCAL_ROLE = "arn:aws:iam::000000000000:role/smtui-local"
"""The role recorded for local-backend jobs when the config names none (no IAM there)."""
LOCAL_MAX_HOSTS = 16
"""The most hosts the local backend runs for one job: each is a process tree with its own
copy of the channels on this machine. (SageMaker's model sets no maximum.)"""


def job_name_base(spec: JobSpec) -> str:
    """The configured base name, else one made from the prefix."""
    if spec.job_name:
        return spec.job_name
    base = re.sub(r"[^a-zA-Z0-9]+", "-", spec.prefix).strip("-")[:43].strip("-")
    return base or "smtui"


def make_job_name(base: str, now: dt.datetime | None = None) -> str:
    """`base-YYYYMMDD-HHMMSS-mmm`: unique to the millisecond, at most 63 characters."""
    now = now or dt.datetime.now(dt.UTC)
    return f"{base}-{now:%Y%m%d-%H%M%S}-{now.microsecond // 1000:03d}"


def _under_root(spec: JobSpec, where: str) -> str:
    """An s3:// URI as written, or a path under s3://bucket/prefix/ as a folder."""
    if where.startswith("s3://"):
        return where
    path = where.strip("/")
    return f"{spec.s3_root}{path}/" if path else spec.s3_root


def toolkit_hyperparameters(spec: JobSpec, job_name: str) -> dict[str, str]:
    """The hyperparameters smtui adds for the training toolkit (none with `launch: command`).

    JSON-encoded with the types SDK v2 gives them (`"\"train.py\""`, `20`, `true`), so
    framework `attach()` can `json.loads` them and the toolkit reads them as the SDK's."""
    if spec.launch != "script":
        return {}
    added: dict[str, Any] = {
        "sagemaker_program": spec.entry_point or "",
        "sagemaker_submit_directory": spec.code_uri(job_name),
        "sagemaker_container_log_level": int(LOG_LEVEL),
        "sagemaker_job_name": job_name,
    }
    if spec.region:
        added["sagemaker_region"] = spec.region
    if spec.distribution == "torch_distributed":
        added["sagemaker_torch_distributed_enabled"] = True
    elif spec.distribution == "mpi":
        added["sagemaker_mpi_enabled"] = True
        added |= mpi_defaults(spec)
    return {key: json.dumps(value) for key, value in added.items()}


def mpi_defaults(spec: JobSpec) -> dict[str, Any]:
    """The SDK's `distribution={"mpi": {...}}` settings smtui sends for an mpi job: one
    process per GPU of the instance type (else 1) and no custom mpirun options. A setting
    in `params` under the toolkit's own name (`sagemaker_mpi_num_of_processes_per_host`,
    `sagemaker_mpi_custom_mpi_options`, as the SDK's `processes_per_host` and
    `custom_mpi_options` become) is sent instead of the default."""
    instance = load_catalogue().get(spec.instance_type)
    per_host = instance.accelerator_count if instance and instance.accelerator_count else 1
    defaults = {
        "sagemaker_mpi_num_of_processes_per_host": per_host,
        "sagemaker_mpi_custom_mpi_options": "",
    }
    given = {p.name for p in spec.params}
    return {key: value for key, value in defaults.items() if key not in given}


def user_hyperparameters(spec: JobSpec) -> dict[str, str]:
    """The user's hyperparameters as sent: JSON in script mode, plain with `launch: command`."""
    script = spec.launch == "script"
    return {p.name: p.sent(script) for p in spec.params}


def entry_point_argv(spec: JobSpec) -> list[str]:
    """The arguments the entry point receives (from the toolkit, or from smtui's own
    `launch: command` entrypoint, which passes values as they are)."""
    return render_argv(user_hyperparameters(spec), decode=spec.launch == "script")


def command_entrypoint(spec: JobSpec) -> list[str]:
    """`launch: command`: a shell that unpacks the code channel and runs the entry point."""
    entry = spec.entry_point or ""
    runner = "python3 " if entry.endswith(".py") else "sh " if entry.endswith(".sh") else "./"
    script = (
        "set -e; mkdir -p /opt/ml/code; "
        f"tar -xzf /opt/ml/input/data/{CODE_CHANNEL}/sourcedir.tar.gz -C /opt/ml/code; "
        f'cd /opt/ml/code; exec {runner}{shlex.quote(entry)} "$@"'
    )
    return ["/bin/sh", "-c", script, "sh"]


TENSORBOARD_PATH = "/opt/ml/output/tensorboard"


def _channel(name: str, uri: str, options: ChannelOptions | None = None) -> dict[str, Any]:
    sharded = options is not None and options.sharded
    channel: dict[str, Any] = {
        "ChannelName": name,
        "DataSource": {
            "S3DataSource": {
                "S3DataType": "S3Prefix",
                "S3Uri": uri,
                "S3DataDistributionType": "ShardedByS3Key" if sharded else "FullyReplicated",
            }
        },
    }
    if options is not None and options.input_mode:
        channel["InputMode"] = options.input_mode
    return channel


def _request_surface(spec: JobSpec, job_name: str, request: dict[str, Any]) -> None:
    """The optional parts of the request: networking, encryption, retries, TensorBoard,
    health checks, remote debugging, training plans."""
    if spec.retry_attempts is not None:
        request["RetryStrategy"] = {"MaximumRetryAttempts": spec.retry_attempts}
    if spec.vpc is not None:
        request["VpcConfig"] = {
            "SecurityGroupIds": list(spec.vpc.security_groups),
            "Subnets": list(spec.vpc.subnets),
        }
    if spec.network_isolation:
        request["EnableNetworkIsolation"] = True
    if spec.inter_container_encryption:
        request["EnableInterContainerTrafficEncryption"] = True
    if spec.volume_kms_key:
        request["ResourceConfig"]["VolumeKmsKeyId"] = spec.volume_kms_key
    if spec.output_kms_key:
        request["OutputDataConfig"]["KmsKeyId"] = spec.output_kms_key
    if spec.tensorboard:
        where = (
            f"{spec.s3_root}tensorboard/{job_name}/"
            if spec.tensorboard is True
            else _under_root(spec, str(spec.tensorboard))
        )
        request["TensorBoardOutputConfig"] = {"S3OutputPath": where, "LocalPath": TENSORBOARD_PATH}
    if spec.infra_check:
        request["InfraCheckConfig"] = {"EnableInfraCheck": True}
    if spec.remote_debug:
        request["RemoteDebugConfig"] = {"EnableRemoteDebug": True}
    if spec.metrics_time_series:
        request["AlgorithmSpecification"]["EnableSageMakerMetricsTimeSeries"] = True
    if spec.training_plan:
        request["ResourceConfig"]["TrainingPlanArn"] = spec.training_plan
    if spec.max_pending_seconds is not None:
        request["StoppingCondition"]["MaxPendingTimeInSeconds"] = spec.max_pending_seconds


def build_request(spec: JobSpec, job_name: str, image_uri: str) -> dict[str, Any]:
    """The keyword arguments for boto3's `create_training_job`, exactly as they will be sent."""
    algorithm: dict[str, Any] = {"TrainingImage": image_uri, "TrainingInputMode": spec.input_mode}
    channels = [
        _channel(name, _under_root(spec, where), spec.channel_options.get(name))
        for name, where in spec.channels.items()
    ]
    if spec.launch == "command":
        algorithm["ContainerEntrypoint"] = command_entrypoint(spec)
        if argv := entry_point_argv(spec):
            algorithm["ContainerArguments"] = argv
        channels.append(_channel(CODE_CHANNEL, f"{spec.s3_root}code/{job_name}/"))
    if spec.metric_definitions:
        algorithm["MetricDefinitions"] = [
            {"Name": m.name, "Regex": m.regex} for m in spec.metric_definitions
        ]

    resources: dict[str, Any] = {
        "InstanceType": spec.instance_type,
        "InstanceCount": spec.instance_count,
        "VolumeSizeInGB": spec.volume_size_gb,
    }
    if spec.keep_alive_seconds is not None:
        resources["KeepAlivePeriodInSeconds"] = spec.keep_alive_seconds
    stopping: dict[str, Any] = {"MaxRuntimeInSeconds": spec.max_run_seconds}
    if spec.use_spot:
        stopping["MaxWaitTimeInSeconds"] = spec.max_wait_seconds or spec.max_run_seconds

    request: dict[str, Any] = {
        "TrainingJobName": job_name,
        "RoleArn": spec.role_arn or (LOCAL_ROLE if spec.backend == "local" else None),
        "AlgorithmSpecification": algorithm,
        "HyperParameters": user_hyperparameters(spec) | toolkit_hyperparameters(spec, job_name),
        "OutputDataConfig": {"S3OutputPath": spec.outputs_uri},
        "ResourceConfig": resources,
        "StoppingCondition": stopping,
        "EnableManagedSpotTraining": spec.use_spot,
    }
    if channels:
        request["InputDataConfig"] = channels
    if spec.checkpoints:
        where = (
            f"{spec.s3_root}checkpoints/{job_name}/"
            if spec.checkpoints is True
            else _under_root(spec, str(spec.checkpoints))
        )
        request["CheckpointConfig"] = {"S3Uri": where, "LocalPath": CHECKPOINT_PATH}
    if spec.environment:
        request["Environment"] = dict(spec.environment)
    tags = [{"Key": k, "Value": v} for k, v in spec.tags.items()]
    request["Tags"] = [*tags, {"Key": CONFIG_TAG, "Value": spec.config_uri(job_name)}]
    _request_surface(spec, job_name, request)
    return request
