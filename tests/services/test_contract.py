"""One behaviour, two backends: the same tests against the aws backend (moto) and the local
backend (real processes). A `Harness` does what the service itself does on each side: on
moto it plays SageMaker (status, CloudWatch lines, the model archive), locally the job
really runs the script below."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import boto3
import pytest
import yaml

from smtui.core.config import resolve_config
from smtui.core.overrides import Overrides
from smtui.services.artifacts import download_artifacts
from smtui.services.backend import Backend, TransferProgress
from smtui.services.errors import Invalid, NotFound
from smtui.services.home import smtui_home
from smtui.services.local import local_backend
from smtui.services.logtail import LogTailer
from smtui.services.submit import configs_uri, resubmit, submit_spec
from smtui.services.sync import HashCache, apply_plan, plan_folder_sync
from tests.awsfakes import add_stop_training_job, put_events, sagemaker_backend, set_status

LINES = [f"epoch {i} loss={1 / (i + 1):.3f}" for i in range(5)]
SCRIPT = """\
import argparse, os, time
parser = argparse.ArgumentParser()
parser.add_argument("--batch_size", type=int)
parser.add_argument("--epochs", type=int)
parser.add_argument("--sleep", type=float, default=0)
args = parser.parse_args()
for i in range(5):
    print(f"epoch {i} loss={1 / (i + 1):.3f}", flush=True)
open(os.path.join(os.environ["SM_MODEL_DIR"], "model.txt"), "w").write("ok")
time.sleep(args.sleep)
"""


class Harness:
    def __init__(self, backend: Backend, project: Path) -> None:
        self.backend = backend
        self.project = project
        (project.parent / "code-bundle" / "train.py").write_text(SCRIPT)

    async def submit(self, sleep: float = 0) -> str:
        overrides = Overrides(params=[f"sleep={sleep}"] if sleep else [])
        spec = resolve_config(self.project, overrides, {})
        return (await submit_spec(self.backend, spec)).job_name

    async def finish(self, job: str) -> None:
        """Let the job run to Completed."""

    async def running(self, job: str) -> None:
        """Wait until the job's script runs."""

    async def stopped(self, job: str) -> str:
        """The status a stopped job settles in."""
        return (await self.backend.jobs.describe_job(job)).status


class AwsHarness(Harness):
    async def finish(self, job: str) -> None:
        now = int(time.time() * 1000)
        put_events(f"{job}/algo-1-1700000000", [(now + i, line) for i, line in enumerate(LINES)])
        import io
        import tarfile

        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
            info = tarfile.TarInfo("model.txt")
            info.size = 2
            tar.addfile(info, io.BytesIO(b"ok"))
        key = f"custom-run/outputs/{job}/output/model.tar.gz"
        boto3.client("s3", region_name="us-east-1").put_object(
            Bucket="my-bucket", Key=key, Body=buffer.getvalue()
        )
        sagemaker_backend().training_jobs[job].model_artifacts = {
            "S3ModelArtifacts": f"s3://my-bucket/{key}"
        }
        set_status(job, "Completed")

    async def running(self, job: str) -> None:
        set_status(job, "InProgress", "Training")  # moto completes every job at once


class LocalHarness(Harness):
    async def wait(self, job: str, *statuses: str) -> str:
        deadline = time.monotonic() + 30
        while (status := (await self.backend.jobs.describe_job(job)).status) not in statuses:
            assert time.monotonic() < deadline, f"{job} stayed {status}"
            await asyncio.sleep(0.1)
        return status

    async def finish(self, job: str) -> None:
        assert await self.wait(job, "Completed", "Failed", "Stopped") == "Completed"

    async def running(self, job: str) -> None:
        deadline = time.monotonic() + 30
        while (await self.backend.jobs.describe_job(job)).secondary_status != "Training":
            assert time.monotonic() < deadline
            await asyncio.sleep(0.1)

    async def stopped(self, job: str) -> str:
        return await self.wait(job, "Stopped")


@pytest.fixture(params=["aws", "local"])
async def harness(
    request: pytest.FixtureRequest, project: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Harness]:
    if request.param == "local":
        monkeypatch.setenv("SMTUI_LOCAL_STOP_GRACE", "2")
        yield LocalHarness(local_backend(smtui_home()), project)
        return
    request.getfixturevalue("moto_aws")
    add_stop_training_job(monkeypatch)
    backend = request.getfixturevalue("aws_backend")
    yield AwsHarness(backend, project)


async def test_submit_list_describe_logs_download(harness: Harness, tmp_path: Path) -> None:
    backend = harness.backend
    job = await harness.submit()
    await harness.finish(job)
    page = await backend.jobs.list_jobs(limit=10)
    assert [j.name for j in page.jobs] == [job] and page.jobs[0].status == "Completed"
    assert [j.name for j in (await backend.jobs.list_jobs(status="Failed")).jobs] == []
    assert [j.name for j in (await backend.jobs.list_jobs(name_contains="nomatch")).jobs] == []
    described = await backend.jobs.describe_job(job)
    assert described.hyperparameters["batch_size"] == json.dumps("64")  # as SDK v2 sends it
    assert described.params["batch_size"] == "64"
    assert described.instance_type == "ml.g5.xlarge" and described.instance_count == 1
    assert described.channels == {"train": "s3://my-bucket/custom-run/data/"}
    tags = await backend.jobs.tags(described)  # ListTags on aws; the request's on local
    assert tags["smtui:config"].startswith("s3://my-bucket/custom-run/")
    assert described.model_artifacts == (
        f"s3://my-bucket/custom-run/outputs/{job}/output/model.tar.gz"
    )
    messages = [
        event.message
        async for batch in LogTailer(backend.logs, job, follow=False).batches()
        for event in batch.events
    ]
    assert messages[-5:] == LINES
    target = await download_artifacts(backend, job, tmp_path / "model", extract=True)
    assert target.name == "model.tar.gz"
    assert (tmp_path / "model" / "model.txt").read_text() == "ok"


async def test_follow_ends_after_the_job_with_every_line(harness: Harness) -> None:
    job = await harness.submit()
    follow = asyncio.create_task(collect(LogTailer(harness.backend.logs, job, follow=True)))
    await harness.finish(job)
    messages = await asyncio.wait_for(follow, 60)
    assert messages[-5:] == LINES


async def collect(tailer: LogTailer) -> list[str]:
    return [event.message async for batch in tailer.batches() for event in batch.events]


async def test_stop_a_running_job_and_not_an_ended_one(harness: Harness) -> None:
    job = await harness.submit(sleep=300)
    await harness.running(job)
    await harness.backend.jobs.stop_job(job)
    assert (await harness.backend.jobs.describe_job(job)).status in ("Stopping", "Stopped")
    assert await harness.stopped(job) in ("Stopping", "Stopped")
    done = await harness.submit()
    await harness.finish(done)
    with pytest.raises(Invalid, match="status Completed"):
        await harness.backend.jobs.stop_job(done)
    with pytest.raises(NotFound):
        await harness.backend.jobs.stop_job("no-such-job")
    with pytest.raises(NotFound):
        await harness.backend.jobs.describe_job("no-such-job")


async def test_resubmit_clones_with_a_changed_hyperparameter(harness: Harness) -> None:
    job = await harness.submit()
    await harness.finish(job)
    again = await resubmit(harness.backend, job, params={"batch-size": "256"})
    await harness.finish(again.job_name)
    described = await harness.backend.jobs.describe_job(again.job_name)
    assert described.params["batch_size"] == "256"
    assert described.params["epochs"] == "5"
    stored = configs_uri(described.raw, again.job_name)
    assert stored is not None
    text = (await harness.backend.storage.read_bytes(stored)).decode()
    assert text.startswith(f"# resubmitted from {job} as {again.job_name}")


async def test_sync_plans_then_sends_only_what_changed(harness: Harness, tmp_path: Path) -> None:
    storage = harness.backend.storage
    await storage.ensure_bucket("my-bucket", "us-east-1")
    src = tmp_path / "data"
    (src / "sub").mkdir(parents=True)
    (src / "a.csv").write_text("1\n")
    (src / "sub" / "b.csv").write_text("2\n")
    dest = "s3://my-bucket/custom-run/data/"
    cache = HashCache(None)
    plan = await plan_folder_sync(storage, src, dest, cache)
    assert sorted(f.rel for f, _ in plan.uploads) == ["a.csv", "sub/b.csv"]
    progress = TransferProgress()
    await apply_plan(storage, plan, delete=False, progress=progress)
    assert progress.done_files == 2 and progress.done_bytes == 4
    listing = await storage.list_prefix(dest)
    assert listing.folders == [dest + "sub/"]
    assert [o.key for o in listing.objects] == ["custom-run/data/a.csv"]
    (src / "a.csv").write_text("3\n")  # same size, new content
    (src / "sub" / "b.csv").unlink()
    plan = await plan_folder_sync(storage, src, dest, cache)
    assert [(f.rel, why) for f, why in plan.uploads] == [("a.csv", "changed")]
    assert [o.key for o in plan.deletes] == ["custom-run/data/sub/b.csv"]
    await apply_plan(storage, plan, delete=True, progress=TransferProgress())
    assert [o.key for o in await storage.list_all(dest)] == ["custom-run/data/a.csv"]
    assert await storage.read_bytes(dest + "a.csv") == b"3\n"
    with pytest.raises(NotFound):
        await storage.read_bytes(dest + "missing.csv")
    with pytest.raises(NotFound, match="no bucket 'no-such-bucket'"):
        await storage.list_prefix("s3://no-such-bucket/x/")


async def test_a_resubmits_stored_config_is_what_it_submitted(harness: Harness) -> None:
    job = await harness.submit()
    await harness.finish(job)
    again = await resubmit(
        harness.backend, job, params={"batch_size": "256", "sleep": "0"}, removed=["epochs"],
        instance_count=2,
    )  # fmt: skip
    described = await harness.backend.jobs.describe_job(again.job_name)
    stored = configs_uri(described.raw, again.job_name)
    assert stored is not None
    text = (await harness.backend.storage.read_bytes(stored)).decode()
    submit = yaml.safe_load(text)["submit"]
    assert submit["job-name"] == again.job_name
    assert submit["params"] == {"batch_size": "256", "sleep": "0"}  # batch-size replaced
    assert submit["instance-count"] == 2
    assert f"# {job}'s stored config said:" in text
    await harness.finish(again.job_name)
