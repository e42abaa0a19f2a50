"""The header's rate: every running training job of the account, not only the listed rows.

300 moto jobs, one in ten running, on three instance types and 1-4 hosts each; the list
shows 50, so most running jobs are pages down. Their rate is summed by hand here from
the shipped prices.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient
from textual.widgets import Header

from smtui.services.backend import Backend
from smtui.tui import spend
from smtui.tui.app import SmtuiApp
from tests.awsfakes import create_job, record_calls, sagemaker_backend, set_status
from tests.tui.conftest import until

PRICES = {"ml.g5.xlarge": 1.408, "ml.p4d.24xlarge": 37.688, "ml.m5.xlarge": 0.23}
TYPES = tuple(PRICES)
JOBS = 300


def account() -> float:
    """The jobs; returns what the running ones cost an hour, worked out here."""
    client = boto3.client("sagemaker", region_name="us-east-1")
    fakes = sagemaker_backend().training_jobs
    t0 = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    rate = 0.0
    for i in range(JOBS):
        name, running = f"run-{i:03d}", i % 10 == 0
        kind, hosts = TYPES[i % 3], i % 4 + 1
        create_job(name, hosts, "InProgress" if running else "Completed", via=client,
                   instance_type=kind)  # fmt: skip
        fakes[name].creation_time = fakes[name].last_modified_time = t0 + dt.timedelta(minutes=i)
        if running:
            fakes[name].training_end_time = None
            rate += PRICES[kind] * hosts
    return rate


async def test_every_running_job_is_in_the_rate_each_described_once(
    aws_backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    rate = account()
    sent = record_calls(monkeypatch)
    described: list[str] = []
    send = BaseClient._make_api_call

    def recorded(self: Any, operation: str, params: Any) -> Any:
        if operation == "DescribeTrainingJob":
            described.append(params["TrainingJobName"])
        return send(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recorded)
    app = SmtuiApp(aws_backend)
    async with app.run_test(size=(160, 45)) as pilot:
        await until(pilot, lambda: app.main.spend.said is not None, "the rate")
        assert app.jobs.table.row_count == 50  # 5 running jobs listed, 25 pages down
        assert app.main.spend.said == f"30 running · ${rate:,.2f}/h"
        assert app.main.sub_title == f"{app.sub_title} · 30 running · ${rate:,.2f}/h"
        header = app.main.query_one(Header)
        assert f"30 running · ${rate:,.2f}/h" in str(header.format_title())
        # The 50 rows, then only the 25 running jobs the list has not described, once each.
        listed = set(app.jobs.model.summaries)
        running = {f"run-{i:03d}" for i in range(0, JOBS, 10)}
        twice = {name for name, n in Counter(described).items() if n > 1} - {app.jobs.selected}
        assert twice == set()  # the selected job's log tail asks its own (hosts, status)
        assert set(described) == listed | running
        # Three pages each for the pane and the rate: moto sorts and filters after it cuts
        # its pages of 100 (SageMaker's InProgress list would be one page).
        assert sent.count("sagemaker:ListTrainingJobs") <= 6


async def test_the_rate_follows_jobs_that_end_and_start(
    aws_backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spend, "EVERY_AWS", 0.2)
    rate = account()
    app = SmtuiApp(aws_backend)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.main.spend.said == f"30 running · ${rate:,.2f}/h", "30")
        set_status("run-030", "Completed")  # ml.g5.xlarge ×3, far down the list
        rate -= 1.408 * 3
        await until(pilot, lambda: app.main.spend.said == f"29 running · ${rate:,.2f}/h", "29")
        create_job("new-p4de", 2, "InProgress", instance_type="ml.p4de.24xlarge")
        said = f"30 running · ${rate:,.2f}/h + 1 with no price"  # not in the shipped table
        await until(pilot, lambda: app.main.spend.said == said, "the unpriced job said")


async def test_nothing_running_says_so(aws_backend: Backend) -> None:
    create_job("done", 1, "Completed")
    app = SmtuiApp(aws_backend)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.main.spend.said == "no job running", "the rate")
