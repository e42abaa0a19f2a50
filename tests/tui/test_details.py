"""The whole job on the details screen, against moto (its describe response, ListTags, the
log streams), at 80 columns: every field the console shows, long values wrapped and never
cut, `y` copying the row under the cursor whole, and `v` the raw response as YAML and JSON,
read back equal to what boto3 returns."""

from __future__ import annotations

import io
import json
import time
from typing import Any

import boto3
import pytest
import yaml
from rich.console import Console
from textual.widgets import OptionList

from smtui.core.jobview import console_url, log_stream_url
from smtui.services.backend import Backend
from smtui.services.home import smtui_home
from smtui.services.local import local_backend
from smtui.tui.app import SmtuiApp
from smtui.tui.details import DetailsScreen
from smtui.tui.raw import RawScreen, _jsonable
from tests.awsfakes import create_job, put_events, sagemaker_backend
from tests.tui.conftest import typed, until

LONG = "x" * 180 + "-no-spaces-" + "y" * 120
KMS = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
JOB = "console-run"


@pytest.fixture
def console_job(moto_aws: None) -> None:
    create_job(
        JOB,
        hosts=2,
        status="Failed",
        VpcConfig={"Subnets": ["subnet-0a1", "subnet-0b2"], "SecurityGroupIds": ["sg-0c3"]},
        CheckpointConfig={"S3Uri": "s3://bucket/ckpt/", "LocalPath": "/opt/ml/checkpoints"},
        TensorBoardOutputConfig={"S3OutputPath": "s3://bucket/tb/"},
        EnableNetworkIsolation=True,
        Tags=[{"Key": "team", "Value": "vision"}, {"Key": "long", "Value": LONG}],
        HyperParameters={"lr": "0.1"},
    )
    fake = sagemaker_backend().training_jobs[JOB]
    # What moto's CreateTrainingJob does not keep, set on its job as SageMaker reports it.
    fake.environment = {"HF_TOKEN_PATH": "/opt/ml/input/token", "LONG_VALUE": LONG}
    fake.retry_strategy = {"MaximumRetryAttempts": 3}
    fake.output_data_config["KmsKeyId"] = KMS
    fake.resource_config["VolumeKmsKeyId"] = KMS
    fake.stopping_condition["MaxWaitTimeInSeconds"] = 7200
    fake.failure_reason = "AlgorithmError: " + LONG
    fake.debug_rule_evaluation_statuses = [
        {"RuleConfigurationName": "LossNotDecreasing", "RuleEvaluationStatus": "IssuesFound",
         "StatusDetails": "loss flat for 100 steps"}]  # fmt: skip
    fake.profiler_rule_evaluation_statuses = [
        {"RuleConfigurationName": "LowGPUUtilization", "RuleEvaluationStatus": "NoIssuesFound"}
    ]
    now = int(time.time() * 1000)
    for host in (1, 2):
        put_events(f"{JOB}/algo-{host}-1700000000", [(now, f"hello from algo-{host}")])


STREAM_URL = (
    "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:"
    "log-groups/log-group/$252Faws$252Fsagemaker$252FTrainingJobs/log-events/"
    "console-run$252Falgo-2-1700000000"
)


async def open_details(app: SmtuiApp, pilot: Any, job: str) -> DetailsScreen:
    await until(pilot, lambda: job in app.jobs.model, "the job listed")
    typed(app, f":job {job}\r\r")  # one read: the jump, then enter opens it
    await until(pilot, lambda: isinstance(app.screen, DetailsScreen), "the details")
    details = app.screen
    assert isinstance(details, DetailsScreen)
    await until(pilot, lambda: details.complete, "described, with tags, streams and config")
    return details


async def test_the_details_show_what_the_console_shows(
    console_job: None,
    aws_backend: Backend,
    copied: list[str],
) -> None:
    app = SmtuiApp(aws_backend)
    async with app.run_test(size=(80, 24)) as pilot:
        details = await open_details(app, pilot, JOB)
        rows = dict(details.rows)
        arn = f"arn:aws:sagemaker:us-east-1:123456789012:training-job/{JOB}"
        expected = {
            "ARN": arn,
            "role": "arn:aws:iam::123456789012:role/SageMakerRole",
            "image": "img:latest",
            "max runtime": "1h00m (3600 s)",
            "max wait": "2h00m (7200 s)",
            "volume": "30 GB",
            "volume KMS key": KMS,
            "output KMS key": KMS,
            "retry attempts": "3",
            "subnets": "subnet-0a1, subnet-0b2",
            "security groups": "sg-0c3",
            "network isolation": "yes",
            "checkpoints": "s3://bucket/ckpt/ ↔ /opt/ml/checkpoints",
            "TensorBoard": "s3://bucket/tb/ ↔ /opt/ml/output/tensorboard",
            "debugger: LossNotDecreasing": "IssuesFound: loss flat for 100 steps",
            "profiler: LowGPUUtilization": "NoIssuesFound",
            "train:progress": "100.0",  # moto's final metric
            "LONG_VALUE": LONG,
            "team": "vision",
            "long": LONG,
            "console": f"https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1"
            f"#/jobs/{JOB}",
            "logs algo-2-1700000000": STREAM_URL,
            "lr": "0.1",
        }
        assert {label: rows.get(label) for label in expected} == expected
        assert rows["role"] == boto3.client("sagemaker", region_name="us-east-1")\
            .describe_training_job(TrainingJobName=JOB)["RoleArn"]  # fmt: skip

        # Every value wraps inside the list's width, and all of it is drawn: its column of
        # each row, read line by line, is the whole value (spaces aside).
        listing = details.query_one("#details-rows", OptionList)
        width = listing.scrollable_content_region.width
        for index in range(listing.option_count):
            option = listing.get_option_at_index(index)
            if option.id is None:
                continue  # a section's title
            label, value = details.rows[int(option.id)]
            console = Console(width=width, file=io.StringIO(), record=True)
            console.print(option.prompt)
            lines = console.export_text().splitlines()
            assert max(len(line) for line in lines) <= width, label
            start = lines[0].index(value.split()[0][:8])
            drawn = "".join(line[start:] for line in lines)
            assert "".join(drawn.split()) == "".join(value.split()), label
        assert {LONG, KMS, STREAM_URL} <= {value for _, value in details.rows}

        # y copies the row under the cursor, whole: the ARN first, then where it moves.
        await pilot.press("y")
        assert copied[-1] == arn
        listing.highlighted = next(
            i for i in range(listing.option_count)
            if listing.get_option_at_index(i).id == str(list(rows).index("LONG_VALUE"))
        )  # fmt: skip
        await pilot.press("y")
        assert copied[-1] == LONG

        # v: the raw response, read back equal to boto3's own.
        await pilot.press("v")
        await until(pilot, lambda: isinstance(app.screen, RawScreen), "the raw view")
        raw = app.screen
        assert isinstance(raw, RawScreen)
        response = boto3.client("sagemaker", region_name="us-east-1").describe_training_job(
            TrainingJobName=JOB
        )
        response.pop("ResponseMetadata")
        assert yaml.safe_load(raw.document) == _jsonable(response)
        await pilot.press("j", "y")
        assert json.loads(copied[-1]) == _jsonable(response) and copied[-1] == raw.document
        await pilot.press("escape", "escape")
        assert not isinstance(app.screen, DetailsScreen | RawScreen)


async def test_a_local_job_has_no_console_links(project: Any) -> None:
    from smtui.core.config import resolve_config
    from smtui.core.overrides import Overrides
    from smtui.services.submit import submit_spec

    backend = local_backend(smtui_home())
    spec = resolve_config(project, Overrides(), {"SMTUI_BACKEND": "local"})
    submitted = await submit_spec(backend, spec)
    app = SmtuiApp(backend)
    async with app.run_test(size=(100, 30)) as pilot:
        details = await open_details(app, pilot, submitted.job_name)
        rows = dict(details.rows)
        assert rows["ARN"].startswith("arn:aws:sagemaker:local:")
        assert rows["smtui:config"].startswith("s3://my-bucket/custom-run/")  # its tags
        assert "console" not in rows and not any(k.startswith("logs ") for k in rows)


def test_console_links_follow_the_partition() -> None:
    gov = "arn:aws-us-gov:sagemaker:us-gov-west-1:1:training-job/a"
    assert console_url(gov, "a") == (
        "https://us-gov-west-1.console.amazonaws-us-gov.com/sagemaker/home?region=us-gov-west-1"
        "#/jobs/a"
    )
    cn = "arn:aws-cn:sagemaker:cn-north-1:1:training-job/a"
    assert log_stream_url(cn, "a/algo-1-1") == (
        "https://cn-north-1.console.amazonaws.cn/cloudwatch/home?region=cn-north-1#logsV2:"
        "log-groups/log-group/$252Faws$252Fsagemaker$252FTrainingJobs/log-events/a$252Falgo-1-1"
    )
    assert console_url("arn:aws:sagemaker:local:0:training-job/a", "a") is None
    assert console_url("not an arn", "a") is None
