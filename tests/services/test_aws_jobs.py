"""The aws backend's jobs, submit and resubmit against moto."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import boto3
import pytest

from smtui.core.config import resolve_config
from smtui.services.backend import Backend
from smtui.services.errors import AccessDenied, NotFound
from smtui.services.submit import configs_uri, resubmit, submit_spec
from tests.awsfakes import (
    add_stop_training_job,
    create_job,
    sagemaker_backend,
    set_status,
    sort_like_sagemaker,
)


async def test_jobs_are_newest_first_and_filters_fill_whole_pages(aws_backend: Backend) -> None:
    import datetime as dt

    for i in range(30):
        create_job(f"job-{i:02d}", status="Failed" if i % 3 == 0 else "Completed")
    jobs = sagemaker_backend().training_jobs
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for i in range(30):  # moto stamps creation times alike; make them distinct, oldest first
        jobs[f"job-{i:02d}"].creation_time = (base + dt.timedelta(minutes=i)).isoformat()
    page = await aws_backend.jobs.list_jobs(limit=5)
    assert [j.name for j in page.jobs] == ["job-29", "job-28", "job-27", "job-26", "job-25"]
    failed = await aws_backend.jobs.list_jobs(status="Failed", limit=7)
    assert len(failed.jobs) == 7
    assert all(j.status == "Failed" for j in failed.jobs)
    named = await aws_backend.jobs.list_jobs(name_contains="job-1", limit=50)
    assert sorted(j.name for j in named.jobs) == [f"job-1{i}" for i in range(10)]


async def test_describe_and_not_found(aws_backend: Backend) -> None:
    create_job("described", hosts=2)
    job = await aws_backend.jobs.describe_job("described")
    assert (job.status, job.instance_type, job.instance_count) == ("InProgress", "ml.g5.xlarge", 2)
    with pytest.raises(NotFound):
        await aws_backend.jobs.describe_job("missing")


async def test_stop_moves_a_job_to_stopping(
    aws_backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    stopped = add_stop_training_job(monkeypatch)
    create_job("running")
    await aws_backend.jobs.stop_job("running")
    assert stopped == ["running"]
    assert (await aws_backend.jobs.describe_job("running")).status == "Stopping"
    set_status("running", "Stopped")
    assert (await aws_backend.jobs.describe_job("running")).status == "Stopped"


async def test_submit_creates_bucket_placeholder_code_config_and_job(
    aws_backend: Backend, project: Path
) -> None:
    spec = resolve_config(project, environ={})
    submitted = await submit_spec(aws_backend, spec, job_name="custom-run-20260101-000000-000")
    s3 = boto3.client("s3", region_name="us-east-1")
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="my-bucket")["Contents"]}
    job = submitted.job_name
    assert keys == {
        "custom-run/data/placeholder.txt",
        f"custom-run/code/{job}/sourcedir.tar.gz",
        f"custom-run/configs/{job}.yml",
    }
    bundle = s3.get_object(Bucket="my-bucket", Key=f"custom-run/code/{job}/sourcedir.tar.gz")[
        "Body"
    ].read()
    with tarfile.open(fileobj=io.BytesIO(bundle)) as tar:
        assert tar.getnames() == ["train.py"]
    stored = (
        s3.get_object(Bucket="my-bucket", Key=f"custom-run/configs/{job}.yml")["Body"]
        .read()
        .decode()
    )
    assert "batch-size: '64'" in stored and f"{project}:25" in stored
    described = await aws_backend.jobs.describe_job(job)
    assert described.params["batch_size"] == "64"
    assert any("created bucket" in n for n in submitted.notes)
    again = await submit_spec(aws_backend, spec)
    assert again.notes[1:] == []  # the bucket exists and the data prefix is not empty
    assert again.notes[0].startswith("cost: $1.41/h on demand")


async def test_a_403_on_the_bucket_never_creates_it(
    aws_backend: Backend, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.s3.models import S3Backend

    created: list[str] = []
    real_create = S3Backend.create_bucket

    def refuse_head(self: S3Backend, bucket_name: str) -> None:
        from moto.s3.exceptions import AccessForbidden

        raise AccessForbidden("Forbidden")

    def record_create(self: S3Backend, bucket_name: str, region_name: str) -> object:
        created.append(bucket_name)
        return real_create(self, bucket_name, region_name)

    monkeypatch.setattr(S3Backend, "head_bucket", refuse_head)
    monkeypatch.setattr(S3Backend, "create_bucket", record_create)
    spec = resolve_config(project, environ={})
    with pytest.raises(AccessDenied, match="exists but these credentials may not use it"):
        await submit_spec(aws_backend, spec)
    assert created == []


async def test_resubmit_clones_with_changes(aws_backend: Backend, project: Path) -> None:
    spec = resolve_config(project, environ={})
    first = await submit_spec(aws_backend, spec, job_name="custom-run-20260101-000000-000")
    again = await resubmit(
        aws_backend, first.job_name, {"batch-size": "128", "lr": "0.1"}, "ml.p4d.24xlarge", 2
    )
    assert again.job_name.startswith("custom-run-") and again.job_name != first.job_name
    job = await aws_backend.jobs.describe_job(again.job_name)
    assert job.params["batch_size"] == "128"
    assert job.params["lr"] == "0.1"
    assert job.params["epochs"] == "5"
    assert job.params["sagemaker_job_name"] == again.job_name
    assert job.params["sagemaker_submit_directory"].endswith(f"/{first.job_name}/sourcedir.tar.gz")
    assert (job.instance_type, job.instance_count) == ("ml.p4d.24xlarge", 2)
    stored = configs_uri(job.raw, again.job_name)
    assert stored == f"s3://my-bucket/custom-run/configs/{again.job_name}.yml"
    text = (await aws_backend.storage.read_bytes(stored)).decode()
    assert text.startswith(f"# resubmitted from {first.job_name}")


async def test_paging_continues_where_the_last_page_stopped(aws_backend: Backend) -> None:
    for i in range(12):
        create_job(f"page-{i:02d}")
    names: list[str] = []
    token = None
    while True:
        page = await aws_backend.jobs.list_jobs(limit=5, next_token=token)
        names += [j.name for j in page.jobs]
        token = page.next_token
        if token is None or not page.jobs:
            break
    assert sorted(names) == [f"page-{i:02d}" for i in range(12)]


def count_lists(backend: Backend) -> list[str]:
    """A list that grows by one entry per ListTrainingJobs call the backend makes."""
    calls: list[str] = []
    clients = backend.jobs.clients  # type: ignore[attr-defined]
    clients.on("before-call.sagemaker.ListTrainingJobs", lambda **_: calls.append("list"))
    return calls


def make_jobs(count: int) -> None:
    import datetime as dt

    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for i in range(count):
        create_job(f"acct-{i:03d}", status="Completed")
        job = sagemaker_backend().training_jobs[f"acct-{i:03d}"]
        job.creation_time = (base + dt.timedelta(minutes=i)).isoformat()


@pytest.mark.parametrize(("jobs", "calls"), [(121, 2), (301, 4)])
async def test_a_server_that_ignores_sortby_costs_its_pages_and_no_more(
    aws_backend: Backend, jobs: int, calls: int
) -> None:
    """moto ignores SortBy, so every page must be read to find the newest; the first page is
    not read twice, and later lists skip the probe."""
    make_jobs(jobs)
    counted = count_lists(aws_backend)
    for _refresh in range(3):
        page = await aws_backend.jobs.list_jobs(limit=50)
        assert page.jobs[0].name == f"acct-{jobs - 1:03d}"
    assert len(counted) == 3 * calls


async def test_a_server_that_sorts_costs_one_call_per_refresh(aws_backend: Backend) -> None:
    """SageMaker honours SortBy; moto does not, so it is given here (the one thing patched)."""
    undo = sort_like_sagemaker()
    try:
        make_jobs(301)
        counted = count_lists(aws_backend)
        for _refresh in range(3):
            page = await aws_backend.jobs.list_jobs(limit=50)
            assert page.jobs[0].name == "acct-300"
        assert len(counted) == 3
    finally:
        undo()
