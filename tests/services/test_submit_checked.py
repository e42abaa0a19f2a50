"""A request the API would refuse is refused before anything is uploaded (against moto)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import boto3
import pytest

from smtui.cli import main
from smtui.core.clone import clone_request
from smtui.core.config import resolve_config
from smtui.core.errors import ConfigError, UsageError
from smtui.services.backend import Backend
from smtui.services.submit import submit_spec
from tests.conftest import JOBBER_CONFIG, WriteConfig


def bucket_keys() -> list[str]:
    s3 = boto3.client("s3", region_name="us-east-1")
    return [o["Key"] for o in s3.list_objects_v2(Bucket="my-bucket").get("Contents", [])]


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ("  tags: {note: 'a (b)'}\n", "submit.tags.note"),
        (f"  environment: {{BIG: {'v' * 513}}}\n", "submit.environment.BIG"),
        ("  keep-alive-seconds: 21601\n", "submit.keep-alive-seconds"),
    ],
)
@pytest.mark.parametrize("dry_run", [False, True])
def test_the_cli_refuses_with_exit_2_and_uploads_nothing(
    moto_aws: None,
    write_config: WriteConfig,
    capsys: pytest.CaptureFixture[str],
    extra: str,
    key: str,
    dry_run: bool,
) -> None:
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="my-bucket")
    path = write_config(JOBBER_CONFIG + extra)
    assert main(["submit", "--config", str(path), *(["--dry-run"] if dry_run else [])]) == 2
    err = capsys.readouterr().err
    assert f"{path}:" in err and f"{key}:" in err and "Traceback" not in err
    assert bucket_keys() == []


async def test_submit_checks_the_final_request_before_uploading(
    aws_backend: Backend, project: Path
) -> None:
    spec = resolve_config(project, environ={})
    spec.tags["late"] = "x#y"  # as if changed after resolving: the last check still sees it
    await asyncio.to_thread(
        boto3.client("s3", region_name="us-east-1").create_bucket, Bucket="my-bucket"
    )
    with pytest.raises(ConfigError, match="Tags"):
        await submit_spec(aws_backend, spec)
    assert bucket_keys() == []


DESCRIBED = {
    "TrainingJobName": "old-20260102-030405-006",
    "RoleArn": "arn:aws:iam::123456789012:role/R",
    "AlgorithmSpecification": {
        "TrainingImage": "img",
        "TrainingInputMode": "File",
        "ContainerEntrypoint": ["/bin/sh"],
        "ContainerArguments": ["--a", "1"],
    },
    "HyperParameters": {"a": "1"},
    "OutputDataConfig": {"S3OutputPath": "s3://b/p/outputs/"},
    "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
    "StoppingCondition": {"MaxRuntimeInSeconds": 60},
}


def test_a_resubmit_is_checked_against_the_model_too() -> None:
    with pytest.raises(UsageError) as info:
        clone_request(DESCRIBED, "old-20260102-030405-007", {"a": "one\ntwo"})
    assert "--param: HyperParameters[a]" in str(info.value)
    assert clone_request(DESCRIBED, "old-20260102-030405-007", {"a": "2"})
