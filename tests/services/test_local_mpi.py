"""`distribution: mpi` for real on one machine, under a real mpirun (the test extra's Open
MPI): a 2-host x 2-process job whose ranks each see their own host and meet over TCP; a
killed rank fails the job naming the rank and host; without mpirun (or with another MPI's)
the submit is refused with exit 2 and nothing uploaded."""

from __future__ import annotations

import json
import os
import sys
import tarfile
from pathlib import Path

import pytest

from smtui.cli import main
from smtui.services.home import smtui_home
from smtui.services.local.mpi import MpiPlan
from smtui.services.local.store import JobStore, alive
from tests.services.localjob import only_job

BUCKET = "buckets/my-bucket/mpi"

CONFIG = """\
submit:
  backend: local
  image-uri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/my-training:latest
  bucket: my-bucket
  prefix: mpi
  region: us-east-1
  entry-point: ranks.py
  source-dir: code
  instance-type: ml.m5.xlarge
  instance-count: 2
  distribution: mpi
  max-run-seconds: 120
  params:
    sagemaker_mpi_num_of_processes_per_host: 2
    meet: {meet}
"""

# Every rank reports itself to rank 0 over TCP (mpi4py is not needed): rank 0 listens on a
# loopback port it writes to the `meet` file, the others read it and connect.
RANKS = """\
import argparse, json, os, signal, socket, sys, time

parser = argparse.ArgumentParser()
parser.add_argument("--meet")
parser.add_argument("--kill_rank", type=int, default=-1)
args = parser.parse_args()
rank, world = int(os.environ["OMPI_COMM_WORLD_RANK"]), int(os.environ["OMPI_COMM_WORLD_SIZE"])
me = {"rank": rank, "host": os.environ["SM_CURRENT_HOST"]}
if rank == 0:
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(60)
    with open(args.meet + ".tmp", "w") as out:
        out.write(str(server.getsockname()[1]))
    os.replace(args.meet + ".tmp", args.meet)
    seen, peers = [me], []
    while len(seen) < world:
        conn, _ = server.accept()
        seen.append(json.loads(conn.makefile().readline()))
        peers.append(conn)
    for conn in peers:
        conn.sendall((json.dumps(seen) + "\\n").encode())
        conn.close()
else:
    deadline = time.time() + 60
    while not os.path.exists(args.meet):
        assert time.time() < deadline, "rank 0 never listened"
        time.sleep(0.05)
    conn = socket.create_connection(("127.0.0.1", int(open(args.meet).read())), timeout=60)
    conn.sendall((json.dumps(me) + "\\n").encode())
    seen = json.loads(conn.makefile().readline())
report = me | {
    "world": world, "seen": sorted(s["rank"] for s in seen), "pid": os.getpid(),
    "hosts_seen": {str(s["rank"]): s["host"] for s in seen},
    "local_rank": int(os.environ["OMPI_COMM_WORLD_LOCAL_RANK"]),
    "local_size": int(os.environ["OMPI_COMM_WORLD_LOCAL_SIZE"]),
    "model_dir": os.environ["SM_MODEL_DIR"], "cwd": os.getcwd(),
}
with open(os.path.join(os.environ["SM_MODEL_DIR"], f"rank-{rank}.json"), "w") as out:
    json.dump(report, out)
sys.stdout.write(f"rank {rank}/{world} on {me['host']}: saw {report['seen']}\\n")
sys.stdout.flush()
if args.kill_rank >= 0:
    if rank == args.kill_rank:
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(300)  # the others wait to be ended, as ranks blocked on a peer would
"""


def mpi_project(tmp_path: Path, extra: str = "") -> Path:
    config = tmp_path / "jobber.yml"
    config.write_text(CONFIG.format(meet=tmp_path / "meet") + extra)
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "ranks.py").write_text(RANKS)
    data = smtui_home() / BUCKET / "data"
    data.mkdir(parents=True)
    (data / "rows.csv").write_text("x\n1\n")
    return config


def reports(job: str) -> dict[int, dict[str, object]]:
    """Each rank's report, from the job's model.tar.gz (every host's model/ merged)."""
    with tarfile.open(smtui_home() / BUCKET / "outputs" / job / "output/model.tar.gz") as tar:
        return {
            int(m.name[5:-5]): json.loads(tar.extractfile(m).read())  # type: ignore[union-attr]
            for m in tar.getmembers()
            if m.name.startswith("rank-")
        }


def test_two_hosts_of_two_ranks_each_see_their_host_and_meet(
    tmp_path: Path, mpirun: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = mpi_project(tmp_path)
    assert main(["submit", "--config", str(config), "--wait"]) == 0
    job = only_job()
    seen = reports(job)
    assert sorted(seen) == [0, 1, 2, 3]
    folder = smtui_home() / "jobs" / job
    for rank, report in seen.items():
        host = f"algo-{rank // 2 + 1}"
        assert report["host"] == host and report["world"] == 4
        assert report["seen"] == [0, 1, 2, 3]
        assert report["local_rank"] == rank % 2 and report["local_size"] == 2
        assert report["model_dir"] == str(folder / host / "model")
        assert report["cwd"] == str(folder / host / "code")
    assert seen[0]["hosts_seen"] == {"0": "algo-1", "1": "algo-1", "2": "algo-2", "3": "algo-2"}
    capsys.readouterr()
    assert main(["logs", job, "--backend", "local"]) == 0
    logs = capsys.readouterr().out
    # mpirun runs on algo-1 and tags every rank's lines there, as on SageMaker.
    assert "[algo-1] [1,3]<stdout>: rank 3/4 on algo-2: saw [0, 1, 2, 3]" in logs
    command = next(line for line in logs.splitlines() if f"[algo-1] {mpirun} " in line)
    assert "--host localhost:4 -np 4" in command and "--bind-to none --map-by slot" in command
    assert ("--allow-run-as-root" in command) == (os.geteuid() == 0)
    assert "[algo-2] smtui local: mpi: algo-2 runs rank(s) [2, 3]" in logs


def test_a_killed_rank_fails_the_job_naming_the_rank_and_its_host(
    tmp_path: Path, mpirun: str
) -> None:
    config = mpi_project(tmp_path, "    kill_rank: 3\n")
    assert main(["submit", "--config", str(config), "--wait"]) == 1
    job = only_job()
    state = JobStore(smtui_home()).read(job)
    assert state["TrainingJobStatus"] == "Failed"
    reason = state["FailureReason"]
    assert reason.startswith(
        "AlgorithmError: ExecuteUserScriptError: rank 3 (local rank 1) on algo-2 failed: "
        "killed by SIGKILL"
    )
    # First, since a FailureReason is cut at 1024 characters (mpirun's command is long).
    assert "ExitCode 137" in reason
    # Every rank has ended, the ones left waiting too, and mpirun with them.
    folder = smtui_home() / "jobs" / job
    ranks = [json.loads(p.read_text()) for p in sorted(folder.glob("algo-*/model/rank-*.json"))]
    assert sorted(int(r["rank"]) for r in ranks) == [0, 1, 2, 3]
    main_processes = (JobStore(smtui_home()).supervisor(job) or {}).get("hosts", {})
    assert list(main_processes) == ["algo-1"]  # mpirun, for every host
    pids = [int(r["pid"]) for r in ranks] + [int(h["pid"]) for h in main_processes.values()]
    assert not [pid for pid in pids if alive(pid, None)]


def refused(config: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Submit, expecting exit 2 with nothing uploaded and no job; returns the error."""
    assert main(["submit", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert JobStore(smtui_home()).names() == []
    assert sorted(p.name for p in (smtui_home() / BUCKET).iterdir()) == ["data"]
    return err


def test_without_mpirun_the_submit_is_refused_with_exit_2_and_nothing_uploaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = mpi_project(tmp_path)
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    err = refused(config, capsys)
    assert "distribution: mpi runs the job with mpirun, which is not on PATH here" in err


def test_an_mpirun_that_is_not_open_mpi_is_refused_at_submit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = mpi_project(tmp_path)
    fake = tmp_path / "bin" / "mpirun"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'HYDRA build details:'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    err = refused(config, capsys)
    assert "is not Open MPI's (it says: HYDRA build details:)" in err


def test_a_process_count_beyond_the_slots_is_refused_at_submit(
    tmp_path: Path, mpirun: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = mpi_project(tmp_path, "    sagemaker_mpi_num_processes: 5\n")
    err = refused(config, capsys)
    assert "sagemaker_mpi_num_processes is '5': it must be 1 to 4" in err


def test_mpirun_gets_the_toolkits_custom_options_and_mpi4py_runs_python_entry_points(
    tmp_path: Path,
) -> None:
    plan = MpiPlan(
        hosts=2, per_host=4, processes=6, mpirun="/opt/mpi/bin/mpirun",
        custom="--NCCL_DEBUG WARN --mca btl_tcp_if_include lo -x FOO=1", mpi4py=True,
        ranks=tmp_path / "mpi-ranks.json",
    )  # fmt: skip
    command = plan.command({"PATH": "/usr/bin", "AWS_SESSION_TOKEN": "t"})
    assert command[:5] == ["/opt/mpi/bin/mpirun", "--host", "localhost:8", "-np", "6"]
    assert "NCCL_DEBUG=WARN" in command and "LD_LIBRARY_PATH" not in command
    assert command[command.index("NCCL_DEBUG=WARN") + 1 :] == [
        "-x", "PATH", "-x", "AWS_SESSION_TOKEN",
        "--mca", "btl_tcp_if_include", "lo", "-x", "FOO=1",
        sys.executable, "-m", "smtui.services.local.mpirank", str(tmp_path / "mpi-ranks.json"),
    ]  # fmt: skip
    python = "/venv/bin/python"
    assert plan.rank_command([python, "train.py", "--lr", "1"], python) == [
        python, "-m", "mpi4py", "train.py", "--lr", "1",
    ]  # fmt: skip
    assert plan.rank_command(["/bin/sh", "train.sh"], python) == ["/bin/sh", "train.sh"]
