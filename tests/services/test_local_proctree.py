"""Nothing of a local job outlives it: a child that ignores SIGTERM and a double-forked
`setsid` daemon are ended with the job, whether the script exits on its own or is stopped."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from smtui.services.backend import Backend
from smtui.services.home import smtui_home
from smtui.services.local import local_backend
from smtui.services.local.store import JobStore, alive
from tests.services.localjob import submit, wait_until, write_project

SPAWNER = """\
import os, subprocess, sys, time
pids = {pids!r}
stubborn = subprocess.Popen([sys.executable, "-c", (
    "import os, signal, time\\n"
    "signal.signal(signal.SIGTERM, signal.SIG_IGN)\\n"
    f"open({{pids!r}} + '/stubborn', 'w').write(str(os.getpid()))\\n"
    "time.sleep(300)\\n")])
if os.fork() == 0:  # a daemon: leaves the process group and the session, then forks again
    os.setsid()
    if os.fork() == 0:
        open(pids + "/daemon", "w").write(str(os.getpid()))
        time.sleep(300)
    os._exit(0)
deadline = time.time() + 30
while not all(os.path.exists(os.path.join(pids, n)) for n in ("stubborn", "daemon")):
    assert time.time() < deadline
    time.sleep(0.02)
print("spawned", flush=True)
if {linger}:
    time.sleep(300)
"""


@pytest.fixture
def local(monkeypatch: pytest.MonkeyPatch) -> Backend:
    monkeypatch.setenv("SMTUI_LOCAL_STOP_GRACE", "1")
    return local_backend(smtui_home())


def spawned(folder: Path) -> dict[str, int]:
    return {name: int((folder / name).read_text()) for name in ("stubborn", "daemon")}


def survivors(pids: dict[str, int]) -> dict[str, int]:
    return {name: pid for name, pid in pids.items() if alive(pid, None)}


def kill_all(pids: dict[str, int]) -> None:
    """Don't leak what a failing test left running."""
    for pid in survivors(pids).values():
        os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("linger", [False, True], ids=["script-exits", "job-stopped"])
async def test_no_process_of_a_job_outlives_it(
    local: Backend, project: Path, tmp_path: Path, linger: bool
) -> None:
    folder = tmp_path / "pids"
    folder.mkdir()
    write_project(project, SPAWNER.format(pids=str(folder), linger=linger))
    job = await submit(local, project)
    pids: dict[str, int] = {}
    try:
        deadline = time.monotonic() + 30
        while not all((folder / name).exists() for name in ("stubborn", "daemon")):
            assert time.monotonic() < deadline, "the script never spawned its children"
            time.sleep(0.05)
        pids = spawned(folder)
        if linger:
            await wait_until(local, job, "Training")
            await local.jobs.stop_job(job)
            ended = await wait_until(local, job, "Stopped", "Failed", "Completed")
            assert ended.status == "Stopped"
        else:
            ended = await wait_until(local, job, "Stopped", "Failed", "Completed")
            assert ended.status == "Completed"
        # The job's end is recorded only once its processes are gone.
        assert survivors(pids) == {}
    finally:
        kill_all(pids)


async def test_a_dead_supervisors_daemons_are_ended_by_the_next_reader(
    local: Backend, project: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "pids"
    folder.mkdir()
    write_project(project, SPAWNER.format(pids=str(folder), linger=True))
    job = await submit(local, project)
    store = JobStore(smtui_home())
    pids: dict[str, int] = {}
    try:
        deadline = time.monotonic() + 30
        while True:  # until the supervisor has recorded the daemon it found below it
            if all((folder / name).exists() for name in ("stubborn", "daemon")):
                pids = spawned(folder)
                tree = (store.supervisor(job) or {}).get("tree", {})
                if str(pids["daemon"]) in tree:
                    break
            assert time.monotonic() < deadline, "the daemon was never recorded"
            time.sleep(0.05)
        info = store.supervisor(job)
        assert info is not None
        os.kill(int(info["pid"]), signal.SIGKILL)
        failed = await wait_until(local, job, "Failed")
        assert failed.failure_reason is not None and "supervisor" in failed.failure_reason
        deadline = time.monotonic() + 10
        while survivors(pids):  # SIGKILL is sent by the reader; the kernel takes a moment
            assert time.monotonic() < deadline, f"still running: {survivors(pids)}"
            time.sleep(0.05)
    finally:
        kill_all(pids)
