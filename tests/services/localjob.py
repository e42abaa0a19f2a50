"""Helpers for tests that run real local jobs: a project, a submit, a wait, the outputs."""

from __future__ import annotations

import asyncio
import tarfile
import time
from pathlib import Path
from typing import Any

from smtui.core.config import resolve_config
from smtui.services.backend import Backend
from smtui.services.home import smtui_home
from smtui.services.local.store import JobStore
from smtui.services.submit import submit_spec

CONFIG = """\
submit:
  backend: local
  image-uri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/my-training:latest
  bucket: my-bucket
  prefix: run
  region: us-east-1
  entry-point: train.py
  source-dir: code-bundle
  instance-type: ml.g5.xlarge
  instance-count: {count}
  max-run-seconds: {max_run}
  params:
    batch-size: 64
    epochs: 5
    flag: true
    layers: [1, 2]
"""


def write_project(project: Path, script: str, count: int = 1, max_run: int = 3600) -> None:
    project.write_text(CONFIG.format(count=count, max_run=max_run))
    (project.parent / "code-bundle" / "train.py").write_text(script)
    data = smtui_home() / "buckets" / "my-bucket" / "run" / "data"
    data.mkdir(parents=True, exist_ok=True)
    (data / "rows.csv").write_text("x,y\n1,0\n")


async def submit(backend: Backend, project: Path) -> str:
    spec = resolve_config(project, None, {})
    return (await submit_spec(backend, spec)).job_name


async def wait_until(backend: Backend, job: str, *statuses: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        described = await backend.jobs.describe_job(job)
        if described.status in statuses or described.secondary_status in statuses:
            return described
        assert time.monotonic() < deadline, f"{job} is {described.status}, not {statuses}"
        await asyncio.sleep(0.1)


def only_job() -> str:
    (name,) = JobStore(smtui_home()).names()
    return name


def model_members(job: str) -> dict[str, bytes]:
    path = smtui_home() / "buckets/my-bucket/run/outputs" / job / "output/model.tar.gz"
    with tarfile.open(path) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}  # type: ignore[union-attr]


async def child_pid(backend: Backend, job: str) -> int:
    for _ in range(100):
        streams = await backend.logs.streams(job)
        page = await backend.logs.read(streams[0], None, None)
        for event in page.events:
            if event.message.startswith("child "):
                return int(event.message.split()[1])
        await asyncio.sleep(0.1)
    raise AssertionError("the script never printed its child's pid")
