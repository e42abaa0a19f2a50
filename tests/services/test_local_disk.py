"""A full disk: the job whose supervisor can't go on is marked Failed with the reason by the
next reader, and `jobs`, `describe` and `logs` answer with typed errors, never "unexpected
OSError". Run for real on a 8 MB tmpfs in a private mount namespace."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.services.localjob import CONFIG

FILLER = """\
import os
path = os.path.join(os.environ["SM_MODEL_DIR"], "big.bin")
with open(path, "wb") as out:
    try:
        while True:
            out.write(b"x" * 65536)
            out.flush()
    except OSError as exc:
        print("disk full:", exc, flush=True)
for i in range(2000):
    print("a line the full disk can't take", i, flush=True)
"""

DRIVER = """\
import contextlib, io, json, sys
from smtui.cli import main

def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return {"code": code, "out": out.getvalue(), "err": err.getvalue()}

submitted = run("submit", "--config", sys.argv[1], "--wait")
from smtui.services.local.store import JobStore
from smtui.services.home import smtui_home
(job,) = JobStore(smtui_home()).names()
print(json.dumps({
    "submit": submitted,
    "describe": run("describe", job, "--backend", "local", "--json"),
    "jobs": run("jobs", "--backend", "local"),
    "logs": run("logs", job, "--backend", "local"),
}))
"""


def private_tmpfs_works(where: Path) -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = ["unshare", "-m", "sh", "-c", f"mount -t tmpfs -o size=1m tmpfs {where}"]
    return subprocess.run(probe, capture_output=True, check=False).returncode == 0


def test_a_full_disk_fails_the_job_with_its_reason_and_readers_keep_working(
    tmp_path: Path,
) -> None:
    home = tmp_path / "full-home"
    home.mkdir()
    if not private_tmpfs_works(home):
        pytest.skip("needs unshare -m and tmpfs mounts (root or a user namespace)")
    (tmp_path / "code-bundle").mkdir(exist_ok=True)
    (tmp_path / "code-bundle" / "train.py").write_text(FILLER)
    config = tmp_path / "jobber.yml"
    config.write_text(CONFIG.format(count=1, max_run=120))
    (tmp_path / "driver.py").write_text(DRIVER)
    data = f"{home}/buckets/my-bucket/run/data"
    shell = (
        f"mount -t tmpfs -o size=8m tmpfs {home} && mkdir -p {data} && "
        f"echo 'x,y' > {data}/rows.csv && exec {sys.executable} {tmp_path}/driver.py {config}"
    )
    env = os.environ | {"SMTUI_HOME": str(home), "SMTUI_LOCAL_STOP_GRACE": "1"}
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", shell],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.splitlines()[-1])
    for command in ("submit", "describe", "jobs", "logs"):
        assert "unexpected" not in seen[command]["err"], (command, seen[command]["err"])
    assert seen["submit"]["code"] == 1
    assert seen["describe"]["code"] == 0
    described = json.loads(seen["describe"]["out"])
    assert described["TrainingJobStatus"] == "Failed"
    assert "No space left on device" in described["FailureReason"]
    assert seen["jobs"]["code"] == 0 and "Failed" in seen["jobs"]["out"]
    assert seen["logs"]["code"] == 0
