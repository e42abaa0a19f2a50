"""Multi-node training for real on one machine: a 2-host x 2-process torch_distributed job
meets at its rendezvous with every rank seen; a rank that dies fails the job with its name;
GPUs are shared out per host, and what the machine can't run is refused at submit. (mpi:
test_local_mpi.py.)"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from smtui.cli import main
from smtui.cli.demo import copy_project, write_data
from smtui.services.home import smtui_home
from smtui.services.local.distributed import DistributionRefused, share_gpus
from smtui.services.local.store import JobStore, alive

OUTPUTS = "buckets/smtui-demo/allreduce/outputs"


def allreduce_project(tmp_path: Path, extra_params: str = "") -> Path:
    """The demo's multi-node project, its data already in the local bucket."""
    config = copy_project(tmp_path / "project").parent / "allreduce.yml"
    if extra_params:
        config.write_text(config.read_text() + extra_params)
    write_data(smtui_home() / "buckets/smtui-demo/allreduce/data", rows=10)
    return config


def ranks_seen(job: str) -> dict[int, dict[str, object]]:
    import tarfile

    with tarfile.open(smtui_home() / OUTPUTS / job / "output/model.tar.gz") as tar:
        return {
            int(m.name[5:-5]): json.loads(tar.extractfile(m).read())  # type: ignore[union-attr]
            for m in tar.getmembers()
            if m.name.startswith("rank-")
        }


def only_job() -> str:
    (name,) = JobStore(smtui_home()).names()
    return name


def test_two_hosts_of_two_processes_meet_at_the_rendezvous(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = allreduce_project(tmp_path)
    assert main(["submit", "--config", str(config), "--wait"]) == 0
    job = only_job()
    seen = ranks_seen(job)
    assert sorted(seen) == [0, 1, 2, 3]
    masters = {rank["master"] for rank in seen.values()}
    assert len(masters) == 1 and str(masters.pop()).startswith("127.0.0.1:")
    for rank, info in seen.items():
        assert info["world"] == 4 and info["local_world"] == 2
        assert info["sum"] == 1 + 2 + 3 + 4 and info["ranks"] == [0, 1, 2, 3]
        assert info["host"] == f"algo-{rank // 2 + 1}"
        assert info["group_rank"] == rank // 2 and info["local_rank"] == rank % 2
    capsys.readouterr()
    assert main(["logs", job, "--backend", "local", "--filter", "torch_distributed:"]) == 0
    launched = capsys.readouterr().out
    assert "2 host(s) x 2 process(es)" in launched
    if importlib.util.find_spec("torch") is None:
        assert "smtui's launcher" in launched


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed")
def test_real_torchrun_runs_the_job_when_torch_is_installed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = allreduce_project(tmp_path)
    assert main(["submit", "--config", str(config), "--wait"]) == 0
    job = only_job()
    assert sorted(ranks_seen(job)) == [0, 1, 2, 3]
    capsys.readouterr()
    assert main(["logs", job, "--backend", "local", "--filter", "started by"]) == 0
    assert "started by torchrun" in capsys.readouterr().out


def test_a_dead_rank_fails_the_job_with_its_name_and_stops_every_host(tmp_path: Path) -> None:
    config = allreduce_project(tmp_path, "    fail-rank: 3\n")
    assert main(["submit", "--config", str(config), "--wait"]) == 1
    job = only_job()
    state = JobStore(smtui_home()).read(job)
    assert state["TrainingJobStatus"] == "Failed"
    assert "rank 3 (local rank 1) on algo-2 failed: exit code 3" in state["FailureReason"]
    assert "(on algo-2)" in state["FailureReason"]
    # Every rank (the ones left waiting on algo-1 too) and both launchers have ended.
    folder = smtui_home() / "jobs" / job
    ranks = [json.loads(p.read_text()) for p in sorted(folder.glob("algo-*/model/rank-*.json"))]
    assert sorted(r["rank"] for r in ranks) == [0, 1, 2, 3]
    launchers = (JobStore(smtui_home()).supervisor(job) or {}).get("hosts", {})
    pids = [int(r["pid"]) for r in ranks] + [int(h["pid"]) for h in launchers.values()]
    assert len(pids) == 6 and not [pid for pid in pids if alive(pid, None)]


def test_gpus_are_shared_out_per_host_or_refused_with_the_numbers() -> None:
    assert share_gpus(8, None, 2, "ml.x") == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert share_gpus(8, 1, 2, "ml.g5.xlarge") == [[0], [1]]
    assert share_gpus(8, 4, 2, "ml.g5.12xlarge") == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert share_gpus(0, 8, 2, "ml.p4d.24xlarge") == [[], []]  # no GPUs here: the CPU runs it
    assert share_gpus(8, 0, 3, "ml.m5.xlarge") == [[], [], []]
    with pytest.raises(DistributionRefused, match=r"2 x ml.p4d.24xlarge need 16 GPUs \(8 each\)"):
        share_gpus(8, 8, 2, "ml.p4d.24xlarge")
    with pytest.raises(DistributionRefused, match="this machine has 2"):
        share_gpus(2, None, 3, "ml.x")
