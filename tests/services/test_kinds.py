"""Tuning and processing jobs on both backends: list, describe, a tuning job's training
jobs, stop, and the processing log group, against moto (with the two tuning calls it
lacks added, `add_tuning_calls`); the local backend says in one line what it can't run."""

from __future__ import annotations

from pathlib import Path

import pytest

from smtui.core.kinds import PROCESSING, TRAINING, TUNING
from smtui.services.backend import Backend
from smtui.services.errors import Invalid, NotFound
from smtui.services.logtail import LogTailer
from tests.awsfakes import (
    PROCESSING_GROUP,
    add_tuning_calls,
    create_processing_job,
    create_tuning_job,
    put_events,
    record_calls,
)


async def test_processing_jobs_list_describe_and_stop(aws_backend: Backend) -> None:
    for index in range(7):
        create_processing_job(f"prep-{index}", status="Completed" if index % 2 else "InProgress")
    page = await aws_backend.jobs.list_jobs(limit=5, kind=PROCESSING)
    assert len(page.jobs) == 5 and page.next_token is not None
    rest = await aws_backend.jobs.list_jobs(limit=5, next_token=page.next_token, kind=PROCESSING)
    assert sorted(j.name for j in page.jobs + rest.jobs) == [f"prep-{i}" for i in range(7)]
    running = await aws_backend.jobs.list_jobs(status="InProgress", kind=PROCESSING)
    assert sorted(j.name for j in running.jobs) == ["prep-0", "prep-2", "prep-4", "prep-6"]
    job = await aws_backend.jobs.describe_job("prep-2", PROCESSING)
    assert (job.kind, job.instance_type, job.status) == (PROCESSING, "ml.m5.xlarge", "InProgress")
    assert job.channels == {"raw": "s3://bucket/prep-2/raw/"}
    await aws_backend.jobs.stop_job("prep-2", PROCESSING)  # moto has StopProcessingJob
    assert (await aws_backend.jobs.describe_job("prep-2", PROCESSING)).status == "Stopped"
    with pytest.raises(NotFound):
        await aws_backend.jobs.describe_job("prep-404", PROCESSING)
    # The training list is its own: no processing job is in it.
    assert (await aws_backend.jobs.list_jobs()).jobs == []


async def test_a_tuning_job_lists_its_training_jobs_and_stops_with_them(
    aws_backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    stopped = add_tuning_calls(monkeypatch)
    trials = [(f"tune-a-{i:03d}", None if i == 3 else i / 10, "Completed") for i in range(120)]
    trials[5] = ("tune-a-005", None, "InProgress")
    create_tuning_job("tune-a", trials)
    page = await aws_backend.jobs.list_jobs(kind=TUNING)
    assert [(j.name, j.status) for j in page.jobs] == [("tune-a", "InProgress")]
    assert page.jobs[0].secondary_status == "119/122 done, 1 running"
    found = await aws_backend.jobs.trials("tune-a")  # two pages of at most 100
    assert len(found) == 120
    assert {t.name: t.objective for t in found}["tune-a-007"] == pytest.approx(0.7)
    job = await aws_backend.jobs.describe_job("tune-a", TUNING)
    assert (job.kind, job.instance_type) == (TUNING, "ml.g5.xlarge")
    assert job.raw["BestTrainingJob"]["TrainingJobName"] == "tune-a-119"
    child = await aws_backend.jobs.describe_job("tune-a-007")
    assert child.tuning_job == "tune-a"
    await aws_backend.jobs.stop_job("tune-a", TUNING)
    assert stopped == ["tune-a"]
    assert (await aws_backend.jobs.describe_job("tune-a", TUNING)).status == "Stopping"
    assert (await aws_backend.jobs.describe_job("tune-a-005")).status == "Stopping"


async def test_each_kind_sends_its_own_calls(
    aws_backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_tuning_calls(monkeypatch)
    create_tuning_job("tune-b", [("tune-b-001", 0.5, "Completed")])
    create_processing_job("prep-b")
    sent = record_calls(monkeypatch)
    await aws_backend.jobs.list_jobs(kind=TUNING)
    await aws_backend.jobs.describe_job("tune-b", TUNING)
    await aws_backend.jobs.trials("tune-b")
    await aws_backend.jobs.list_jobs(kind=PROCESSING)
    await aws_backend.jobs.describe_job("prep-b", PROCESSING)
    await aws_backend.jobs.stop_job("prep-b", PROCESSING)
    assert sent == [
        "sagemaker:ListHyperParameterTuningJobs",
        "sagemaker:DescribeHyperParameterTuningJob",
        "sagemaker:ListTrainingJobsForHyperParameterTuningJob",
        "sagemaker:ListProcessingJobs",
        "sagemaker:DescribeProcessingJob",
        "sagemaker:StopProcessingJob",
    ]


async def test_a_processing_jobs_log_is_read_from_its_own_group(aws_backend: Backend) -> None:
    import time

    create_processing_job("prep-logs", status="Completed")
    now = int(time.time() * 1000)  # CloudWatch refuses events over 14 days old
    stream = f"prep-logs/algo-1-{now // 1000}"
    put_events(stream, [(now + i, f"row {i}") for i in range(50)], PROCESSING_GROUP)
    source = aws_backend.logs_of(PROCESSING)
    assert source is not None and source is not aws_backend.logs
    assert aws_backend.logs_of(TUNING) is None  # a tuning job writes no log of its own
    assert await aws_backend.logs.streams("prep-logs") == []  # not in the training group
    lines = []
    async for batch in LogTailer(source, "prep-logs", follow=True).batches():
        lines += [event.message for event in batch.events]
        if batch.done:
            assert batch.status == "Completed"  # read with DescribeProcessingJob
            break
    assert lines == [f"row {i}" for i in range(50)]


async def test_the_local_backend_says_in_one_line_what_it_cannot_run(tmp_path: Path) -> None:
    from smtui.services.local import local_backend

    backend = local_backend(tmp_path)
    for kind in (TUNING, PROCESSING):
        reason = backend.jobs.why_not(kind)
        assert reason and "\n" not in reason and "local backend" in reason
        assert (await backend.jobs.list_jobs(kind=kind)).jobs == []
        with pytest.raises(Invalid, match="local backend"):
            await backend.jobs.describe_job("x", kind)
        with pytest.raises(Invalid, match="local backend"):
            await backend.jobs.stop_job("x", kind)
        assert backend.logs_of(kind) is None
    assert backend.jobs.why_not(TRAINING) is None
