"""The request surface users reach for, as config keys: each reaches the request as the API
names it, and every request built here passes botocore's model."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from smtui.core.apimodel import check_request
from smtui.core.config import resolve_config, resolve_with_problems
from smtui.core.request import build_request
from smtui.core.stored import stored_config
from tests.conftest import JOBBER_CONFIG, WriteConfig

JOB = "custom-run-20260102-030405-006"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-training:latest"
SURFACE = """\
  input-mode: fastfile
  channels: {train: data/, val: s3://other-bucket/val/}
  channel-options: {train: {sharded: true}, val: {input-mode: pipe}}
  retry-attempts: 3
  vpc: {subnets: [subnet-0abc], security-groups: [sg-0abc]}
  network-isolation: true
  inter-container-encryption: true
  volume-kms-key: arn:aws:kms:us-east-1:123456789012:key/abcd
  output-kms-key: alias/out
  tensorboard: true
  infra-check: true
  remote-debug: true
  metrics-time-series: true
  training-plan: arn:aws:sagemaker:us-east-1:123456789012:training-plan/plan-1
  max-pending-seconds: 7200
"""


def surface_request(write_config: WriteConfig) -> tuple[Any, dict[str, Any]]:
    spec = resolve_config(write_config(JOBBER_CONFIG + SURFACE), None, {})
    request = build_request(spec, JOB, IMAGE)
    assert check_request(request) == []
    return spec, request


def test_every_key_reaches_the_request(write_config: WriteConfig) -> None:
    _spec, request = surface_request(write_config)
    assert request["AlgorithmSpecification"]["TrainingInputMode"] == "FastFile"
    assert request["AlgorithmSpecification"]["EnableSageMakerMetricsTimeSeries"] is True
    train, val = request["InputDataConfig"]
    assert train["DataSource"]["S3DataSource"]["S3DataDistributionType"] == "ShardedByS3Key"
    assert "InputMode" not in train and val["InputMode"] == "Pipe"
    assert request["RetryStrategy"] == {"MaximumRetryAttempts": 3}
    assert request["VpcConfig"] == {"SecurityGroupIds": ["sg-0abc"], "Subnets": ["subnet-0abc"]}
    assert request["EnableNetworkIsolation"] and request["EnableInterContainerTrafficEncryption"]
    assert request["ResourceConfig"]["VolumeKmsKeyId"].endswith(":key/abcd")
    assert request["ResourceConfig"]["TrainingPlanArn"].endswith("training-plan/plan-1")
    assert request["OutputDataConfig"]["KmsKeyId"] == "alias/out"
    assert request["TensorBoardOutputConfig"] == {
        "S3OutputPath": f"s3://my-bucket/custom-run/tensorboard/{JOB}/",
        "LocalPath": "/opt/ml/output/tensorboard",
    }
    assert request["InfraCheckConfig"] == {"EnableInfraCheck": True}
    assert request["RemoteDebugConfig"] == {"EnableRemoteDebug": True}
    assert request["StoppingCondition"]["MaxPendingTimeInSeconds"] == 7200


def test_the_stored_config_resolves_to_the_same_request(write_config: WriteConfig) -> None:
    spec, request = surface_request(write_config)
    text = stored_config(spec, JOB, IMAGE, request)
    stored = yaml.safe_load(text)["submit"]
    assert stored["vpc"] == {"subnets": ["subnet-0abc"], "security-groups": ["sg-0abc"]}
    assert stored["channel-options"]["train"] == {"sharded": True}


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("  channel-options: {test: {sharded: true}}\n", "not one of the job's channels"),
        ("  input-mode: stream\n", "must be one of file, fastfile, pipe"),
        ("  vpc: {subnets: [subnet-1]}\n", "needs security-groups"),
        ("  vpc: {subnets: [bad_id!], security-groups: [sg-1]}\n", "VpcConfig.Subnets[0]"),
        ("  retry-attempts: 31\n", "RetryStrategy.MaximumRetryAttempts must be at most 30"),
        ("  training-plan: not-an-arn\n", "TrainingPlanArn does not match"),
    ],
)
def test_bad_values_name_their_key(write_config: WriteConfig, extra: str, expected: str) -> None:
    path = write_config(JOBBER_CONFIG + extra)
    _, found = resolve_with_problems(path, None, {})
    key = extra.split(":")[0].strip()
    assert any(expected in str(p) and f"submit.{key}" in str(p) for p in found), found
