"""The CreateTrainingJob request built from a resolved config."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from smtui.core.apimodel import check_request
from smtui.core.config import resolve_config
from smtui.core.overrides import Overrides
from smtui.core.request import build_request, job_name_base, make_job_name
from smtui.core.schema import JOB_NAME_PATTERN
from tests.conftest import JOBBER_CONFIG, WriteConfig

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-training:latest"
JOB = "custom-run-20260102-030405-006"


def request_for(path: Path, overrides: Overrides | None = None) -> dict[str, Any]:
    """The request for a config; every one built here must pass botocore's model."""
    request = build_request(resolve_config(path, overrides, environ={}), JOB, IMAGE)
    assert check_request(request) == []
    return request


def test_job_names_fit_sagemakers_pattern() -> None:
    now = dt.datetime(2026, 1, 2, 3, 4, 5, 6789)
    assert make_job_name("custom-run", now) == JOB
    longest = make_job_name("a" * 43, now)
    assert len(longest) == 63
    assert re.fullmatch(JOB_NAME_PATTERN, longest)


def test_the_base_name_comes_from_the_prefix_when_not_given(project: Path) -> None:
    assert job_name_base(resolve_config(project, environ={})) == "custom-run"


def test_the_jobber_config_request(project: Path) -> None:
    request = request_for(project)
    assert request == {
        "TrainingJobName": JOB,
        "RoleArn": "arn:aws:iam::123456789012:role/SageMakerExecutionRole",
        "AlgorithmSpecification": {"TrainingImage": IMAGE, "TrainingInputMode": "File"},
        "HyperParameters": {
            # JSON-encoded as SDK v2 sends them (the YAML values are quoted strings).
            "epochs": '"5"',
            "batch_size": '"64"',
            "sagemaker_program": '"train.py"',
            "sagemaker_submit_directory": f'"s3://my-bucket/custom-run/code/{JOB}/sourcedir.tar.gz"',
            "sagemaker_container_log_level": "20",
            "sagemaker_job_name": f'"{JOB}"',
            "sagemaker_region": '"us-east-1"',
        },
        "InputDataConfig": [
            {
                "ChannelName": "train",
                "DataSource": {
                    "S3DataSource": {
                        "S3DataType": "S3Prefix",
                        "S3Uri": "s3://my-bucket/custom-run/data/",
                        "S3DataDistributionType": "FullyReplicated",
                    }
                },
            }
        ],
        "OutputDataConfig": {"S3OutputPath": "s3://my-bucket/custom-run/outputs/"},
        "ResourceConfig": {
            "InstanceType": "ml.g5.xlarge",
            "InstanceCount": 1,
            "VolumeSizeInGB": 30,
        },
        "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
        "EnableManagedSpotTraining": False,
        "Tags": [{"Key": "smtui:config", "Value": f"s3://my-bucket/custom-run/configs/{JOB}.yml"}],
    }


def test_spot_sets_max_wait(project: Path) -> None:
    overrides = Overrides()
    overrides.set("use_spot", True, "--spot")
    overrides.set("max_run_seconds", 3600, "--max-run")
    request = request_for(project, overrides)
    assert request["EnableManagedSpotTraining"] is True
    assert request["StoppingCondition"] == {
        "MaxRuntimeInSeconds": 3600,
        "MaxWaitTimeInSeconds": 3600,
    }


def test_spot_without_max_wait_waits_as_long_as_it_runs(write_config: WriteConfig) -> None:
    path = write_config(
        JOBBER_CONFIG.replace("  max-wait-seconds: 3600\n", "").replace(
            "use-spot: false", "use-spot: true"
        )
    )
    assert request_for(path)["StoppingCondition"] == {
        "MaxRuntimeInSeconds": 86400,
        "MaxWaitTimeInSeconds": 86400,
    }


def test_smtui_additions_reach_the_request(write_config: WriteConfig) -> None:
    path = write_config(
        JOBBER_CONFIG.replace("prefix: custom-run", "prefix: /team/run/")
        + """\
  volume-size-gb: 200
  channels: {train: data, val: s3://other/val/, test: sets/test/}
  checkpoints: true
  environment: {NCCL_DEBUG: INFO}
  tags: {team: research}
  metric-definitions: [{name: loss, regex: "loss=([0-9.]+)"}]
  keep-alive-seconds: 900
"""
    )
    request = request_for(path)
    uris = {
        c["ChannelName"]: c["DataSource"]["S3DataSource"]["S3Uri"]
        for c in request["InputDataConfig"]
    }
    assert uris == {
        "train": "s3://my-bucket/team/run/data/",
        "val": "s3://other/val/",
        "test": "s3://my-bucket/team/run/sets/test/",
    }
    assert request["CheckpointConfig"] == {
        "S3Uri": f"s3://my-bucket/team/run/checkpoints/{JOB}/",
        "LocalPath": "/opt/ml/checkpoints",
    }
    assert request["ResourceConfig"]["VolumeSizeInGB"] == 200
    assert request["ResourceConfig"]["KeepAlivePeriodInSeconds"] == 900
    assert request["Environment"] == {"NCCL_DEBUG": "INFO"}
    assert request["Tags"][0] == {"Key": "team", "Value": "research"}
    assert request["AlgorithmSpecification"]["MetricDefinitions"] == [
        {"Name": "loss", "Regex": "loss=([0-9.]+)"}
    ]
    assert request["OutputDataConfig"]["S3OutputPath"] == "s3://my-bucket/team/run/outputs/"


def test_distribution_switches(write_config: WriteConfig) -> None:
    torch = request_for(write_config(JOBBER_CONFIG + "  distribution: torch_distributed\n"))
    assert torch["HyperParameters"]["sagemaker_torch_distributed_enabled"] == "true"
    text = JOBBER_CONFIG.replace("ml.g5.xlarge", "ml.g5.12xlarge") + "  distribution: mpi\n"
    mpi = request_for(write_config(text))["HyperParameters"]
    assert (mpi["sagemaker_mpi_enabled"], mpi["sagemaker_mpi_num_of_processes_per_host"]) == (
        "true",
        "4",
    )


def test_multi_node_without_distribution_is_warned(write_config: WriteConfig) -> None:
    spec = resolve_config(
        write_config(JOBBER_CONFIG.replace("instance-count: 1", "instance-count: 2")), environ={}
    )
    assert any("no distribution" in w for w in spec.warnings)


def test_launch_command_runs_the_code_channel(write_config: WriteConfig) -> None:
    request = request_for(write_config(JOBBER_CONFIG + "  launch: command\n"))
    algorithm = request["AlgorithmSpecification"]
    assert algorithm["ContainerEntrypoint"][:2] == ["/bin/sh", "-c"]
    assert "exec python3 train.py" in algorithm["ContainerEntrypoint"][2]
    assert algorithm["ContainerArguments"] == ["--batch_size", "64", "--epochs", "5"]
    code = [c for c in request["InputDataConfig"] if c["ChannelName"] == "code"]
    assert (
        code[0]["DataSource"]["S3DataSource"]["S3Uri"] == f"s3://my-bucket/custom-run/code/{JOB}/"
    )
    assert not any(k.startswith("sagemaker_") for k in request["HyperParameters"])


def test_mpi_settings_in_params_replace_smtui_defaults(write_config: WriteConfig) -> None:
    """As the SDK's `distribution={"mpi": {"processes_per_host": 2, ...}}`: the toolkit's
    names in `params` are sent instead of smtui's defaults, with no warning."""
    settings = (
        "  params:\n    sagemaker_mpi_num_of_processes_per_host: 2\n"
        "    sagemaker_mpi_custom_mpi_options: '--NCCL_DEBUG WARN'\n"
    )
    text = JOBBER_CONFIG.replace("  params:\n", settings) + "  distribution: mpi\n"
    path = write_config(text)
    hyper = request_for(path)["HyperParameters"]
    assert hyper["sagemaker_mpi_num_of_processes_per_host"] == "2"
    assert hyper["sagemaker_mpi_custom_mpi_options"] == '"--NCCL_DEBUG WARN"'
    warnings = resolve_config(path, environ={}).warnings
    assert not [w for w in warnings if "sagemaker_mpi" in w]
