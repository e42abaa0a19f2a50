"""The local backend's instance metrics, from a real job: a busy host's CPU shows above 50 %
within seconds, an idle host's does not, and the files answer GetMetricData's queries as
CloudWatch does (`core/hostmetrics.read_results` reads both)."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from pathlib import Path

import pytest

from smtui.core.hostmetrics import read_results
from smtui.services.backend import Backend
from smtui.services.home import smtui_home
from smtui.services.local import local_backend
from tests.services.localjob import submit, wait_until, write_project

BUSY = """\
import os, time
end = time.time() + 12
if os.environ["SM_CURRENT_HOST"] == "algo-1":
    while time.time() < end:
        pass
else:
    time.sleep(12)
"""


@pytest.fixture
def local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Backend:
    monkeypatch.setenv("SMTUI_LOCAL_STOP_GRACE", "2")
    monkeypatch.setenv("SMTUI_LOCAL_SAMPLE_EVERY", "0.5")  # read by the job's supervisor
    return local_backend(smtui_home())


async def test_a_busy_hosts_cpu_shows_within_seconds(local: Backend, project: Path) -> None:
    write_project(project, BUSY, count=2)
    job = await submit(local, project)
    await wait_until(local, job, "Training", timeout=60)
    assert local.metrics is not None
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    deadline = time.monotonic() + 8
    while True:
        end = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
        series = read_results(await local.metrics.host_metrics(job, 2, start, end), 2)
        busy = series["algo-1"]["CPUUtilization"].current
        if busy is not None and busy > 50:
            break
        assert time.monotonic() < deadline, f"algo-1's CPU never passed 50 % ({busy})"
        await asyncio.sleep(0.2)
    idle = series["algo-2"]["CPUUtilization"].current
    assert idle is not None and idle < 20, idle
    assert 0 < (series["algo-1"]["MemoryUtilization"].current or 0) < 50
    assert 0 < (series["algo-1"]["DiskUtilization"].current or 0) <= 100
    assert series["algo-1"]["GPUUtilization"].values == []  # no nvidia-smi here: none
    await local.jobs.stop_job(job)
