"""Spot interruptions, checkpoint age and capacity waits in the TUI, against moto with the
job states SageMaker would give (moto keeps any status history set on its job, and an S3
object's time is set on its own object)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import boto3

from smtui.core.overrides import Overrides
from smtui.services.factory import BackendSettings, make_backend
from smtui.tui.app import SmtuiApp
from smtui.tui.details import DetailsScreen
from tests.awsfakes import ACCOUNT, REGION, create_job, sagemaker_backend, set_status
from tests.tui.conftest import burst, until

RETRY = "Insufficient capacity error from EC2 while launching instances, retrying!"


def history(now: dt.datetime, *steps: tuple[str, int, str]) -> list[dict[str, Any]]:
    """A status history: (status, minutes before `now` it began, message)."""
    found = []
    for index, (status, ago, message) in enumerate(steps):
        step: dict[str, Any] = {"Status": status, "StartTime": now - dt.timedelta(minutes=ago),
                                "StatusMessage": message}  # fmt: skip
        if index + 1 < len(steps):
            step["EndTime"] = now - dt.timedelta(minutes=steps[index + 1][1])
        found.append(step)
    return found


def account() -> None:
    """Made when the test runs (not when the module is collected): the ages it sets are
    read against the clock."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="ckpt")
    s3.put_object(Bucket="ckpt", Key="spot/run/epoch-3.pt", Body=b"x")
    key = s3_key("ckpt", "spot/run/epoch-3.pt")
    key.last_modified = (now - dt.timedelta(minutes=95)).replace(tzinfo=None)
    create_job("spot-run", status="InProgress", EnableManagedSpotTraining=True,
               CheckpointConfig={"S3Uri": "s3://ckpt/spot/run"})  # fmt: skip
    set_status("spot-run", "InProgress", "Training")
    job = sagemaker_backend().training_jobs["spot-run"]
    job.creation_time = now - dt.timedelta(minutes=120)
    job.secondary_status_transitions = history(
        now, ("Starting", 120, ""), ("Training", 110, ""), ("Interrupted", 60, "spot reclaimed"),
        ("Starting", 58, ""), ("Training", 45, "resumed"))  # fmt: skip
    create_job("waiting", instance_type="ml.p4d.24xlarge", status="InProgress")
    set_status("waiting", "InProgress", "Starting")
    waiting = sagemaker_backend().training_jobs["waiting"]
    waiting.creation_time = now - dt.timedelta(minutes=30)
    waiting.secondary_status_transitions = history(
        now, ("Starting", 30, "Preparing the instances for training"), ("Starting", 25, RETRY),
        ("Starting", 4, RETRY))  # fmt: skip


def s3_key(bucket: str, key: str) -> Any:
    from moto.s3.models import s3_backends

    return s3_backends[ACCOUNT]["aws"].buckets[bucket].keys[key]


async def test_interruptions_checkpoint_age_and_a_capacity_wait(
    moto_aws: None, project: Path
) -> None:
    account()
    app = SmtuiApp(make_backend(BackendSettings("aws", region=REGION)), config=project,
                   overrides=Overrides())  # fmt: skip
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: len(app.jobs.model.details) == 2, "both described")
        await until(pilot, lambda: str(app.jobs.table.get_cell("waiting", "secondary"))
                    .startswith("⌛ capacity 2"), "the capacity wait on its row")  # fmt: skip
        app.jobs.select("spot-run")
        burst(app, "enter")
        await until(pilot, lambda: isinstance(app.screen, DetailsScreen) and app.screen.complete,
                    "the spot job's details")  # fmt: skip
        assert isinstance(app.screen, DetailsScreen)
        rows = dict(app.screen.rows)
        assert rows["interruptions"] == "1, losing 15m00s in all"
        assert rows["newest checkpoint"].startswith("⚠ 1h35m ago: s3://ckpt/spot/run/epoch-3.pt")
        assert "older than 60 min" in rows["newest checkpoint"]
        burst(app, "escape")
        app.jobs.select("waiting")
        burst(app, "enter")
        await until(pilot, lambda: isinstance(app.screen, DetailsScreen) and app.screen.job ==
                    "waiting" and app.screen.complete, "the waiting job's details")  # fmt: skip
        rows = dict(app.screen.rows)
        assert (
            rows["waiting for capacity"].startswith("25m") and RETRY in rows["waiting for capacity"]
        )
        assert "ml.p4de.24xlarge" in rows["same accelerator"]
