"""The local backend runs real scripts the way SageMaker does: tree, environment, argv,
statuses, failure reasons, stop, several hosts, and a supervisor that dies."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from smtui.cli import main
from smtui.services.backend import Backend
from smtui.services.home import smtui_home
from smtui.services.local import local_backend
from smtui.services.local.store import JobStore, alive
from tests.services.localjob import (
    child_pid,
    model_members,
    only_job,
    submit,
    wait_until,
    write_project,
)

PROBE = """\
import argparse, json, os, sys
parser = argparse.ArgumentParser()
parser.add_argument("--batch-size", "--batch_size", type=int)
parser.add_argument("--epochs", type=int)
parser.add_argument("--flag")
parser.add_argument("--layers")
args = parser.parse_args()
config = os.environ["SM_INPUT_CONFIG_DIR"]
seen = {
    "argv": sys.argv[1:],
    "args": vars(args),
    "cwd": os.getcwd(),
    "code": sorted(os.listdir(".")),
    "env": {k: v for k, v in os.environ.items()
            if k.startswith(("SM_", "SAGEMAKER_", "TRAINING_JOB"))},
    "files": {name: json.load(open(os.path.join(config, name)))
              for name in ("hyperparameters.json", "resourceconfig.json",
                           "inputdataconfig.json")},
    "train": sorted(os.listdir(os.environ["SM_CHANNEL_TRAIN"])),
    "rows": open(os.path.join(os.environ["SM_CHANNEL_TRAIN"], "rows.csv")).read(),
}
host = os.environ["SM_CURRENT_HOST"]
with open(os.path.join(os.environ["SM_MODEL_DIR"], host + ".json"), "w") as out:
    json.dump(seen, out)
for epoch in range(3):
    print(f"{host} epoch {epoch} loss={1 / (epoch + 1):.3f}", flush=True)
"""


@pytest.fixture
def local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Backend:
    monkeypatch.setenv("SMTUI_LOCAL_STOP_GRACE", "2")
    return local_backend(smtui_home())


def test_a_script_sees_what_it_would_on_sagemaker(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_project(project, PROBE)
    assert main(["submit", "--config", str(project), "--wait"]) == 0
    job = only_job()
    seen = json.loads(model_members(job)["algo-1.json"])
    root = smtui_home() / "jobs" / job / "algo-1"
    argv = ["--batch_size", "64", "--epochs", "5", "--flag", "True", "--layers", "[1, 2]"]
    assert seen["argv"] == argv
    assert seen["args"] == {"batch_size": 64, "epochs": 5, "flag": "True", "layers": "[1, 2]"}
    assert seen["cwd"] == str(root / "code") and seen["code"] == ["train.py"]
    assert seen["train"] == ["rows.csv"] and seen["rows"] == "x,y\n1,0\n"
    env = seen["env"]
    hps = {"batch_size": 64, "epochs": 5, "flag": True, "layers": [1, 2]}
    expected = {
        "SM_MODEL_DIR": str(root / "model"),
        "SM_CHANNELS": '["train"]',
        "SM_CHANNEL_TRAIN": str(root / "input/data/train"),
        "SM_HPS": json.dumps(hps, sort_keys=True, separators=(",", ":")),
        "SM_HP_BATCH_SIZE": "64",
        "SM_HP_FLAG": "true",
        "SM_HP_LAYERS": "[1,2]",
        "SM_HOSTS": '["algo-1"]',
        "SM_CURRENT_HOST": "algo-1",
        "SM_CURRENT_INSTANCE_TYPE": "ml.g5.xlarge",
        "SM_NUM_GPUS": "0",
        "SM_NUM_CPUS": str(os.cpu_count()),
        "SM_LOG_LEVEL": "20",
        "SM_INPUT_DIR": str(root / "input"),
        "SM_INPUT_CONFIG_DIR": str(root / "input/config"),
        "SM_OUTPUT_DIR": str(root / "output"),
        "SM_OUTPUT_DATA_DIR": str(root / "output/data"),
        "SM_OUTPUT_INTERMEDIATE_DIR": str(root / "output/intermediate"),
        "SM_NETWORK_INTERFACE_NAME": "eth0",
        "SM_USER_ENTRY_POINT": "train.py",
        "SM_MODULE_NAME": "train",
        "SM_USER_ARGS": json.dumps(argv, separators=(",", ":")),
        "SAGEMAKER_PROGRAM": "train.py",
        "SAGEMAKER_JOB_NAME": job,
        "TRAINING_JOB_NAME": job,
        "SAGEMAKER_REGION": "us-east-1",
    }
    assert {k: env.get(k) for k in expected} == expected
    training_env = json.loads(env["SM_TRAINING_ENV"])
    assert training_env["job_name"] == job and training_env["hyperparameters"] == hps
    assert training_env["channel_input_dirs"] == {"train": str(root / "input/data/train")}
    files = seen["files"]
    assert files["hyperparameters.json"]["batch_size"] == "64"  # a YAML number, as JSON
    assert files["hyperparameters.json"]["sagemaker_program"] == json.dumps("train.py")
    resources = files["resourceconfig.json"]
    assert resources["current_host"] == "algo-1" and resources["hosts"] == ["algo-1"]
    assert resources["current_instance_type"] == "ml.g5.xlarge"
    assert resources["network_interface_name"] == "eth0"
    assert resources["instance_groups"][0]["hosts"] == ["algo-1"]
    assert files["inputdataconfig.json"] == {
        "train": {"TrainingInputMode": "File", "S3DistributionType": "FullyReplicated",
                  "RecordWrapperType": "None"}
    }  # fmt: skip
    capsys.readouterr()
    assert main(["describe", job, "--backend", "local", "--json"]) == 0
    described = json.loads(capsys.readouterr().out)
    assert described["TrainingJobStatus"] == "Completed"
    assert [t["Status"] for t in described["SecondaryStatusTransitions"]] == [
        "Starting", "Downloading", "Training", "Uploading", "Completed"
    ]  # fmt: skip
    assert described["ModelArtifacts"]["S3ModelArtifacts"].endswith(f"{job}/output/model.tar.gz")
    assert main(["logs", job, "--backend", "local"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-3:] == [f"algo-1 epoch {i} loss={1 / (i + 1):.3f}" for i in range(3)]
    assert "Invoking script with the following command:" in lines


def test_the_failure_file_is_the_reason_and_wait_exits_1(project: Path) -> None:
    write_project(
        project,
        "import os, sys\n"
        "open(os.path.join(os.environ['SM_OUTPUT_DIR'], 'failure'), 'w')"
        ".write('bad data: 3 rows')\n"
        "sys.exit(1)\n",
    )
    assert main(["submit", "--config", str(project), "--wait"]) == 1
    described = JobStore(smtui_home()).read(only_job())
    assert described["TrainingJobStatus"] == "Failed"
    assert described["FailureReason"] == "AlgorithmError: bad data: 3 rows"
    assert described["SecondaryStatus"] == "Failed"
    assert "ModelArtifacts" not in described


def test_without_a_failure_file_the_exit_code_and_stderr_are_the_reason(project: Path) -> None:
    write_project(project, "import sys\nprint('loading')\nraise ValueError('boom')\n")
    assert main(["submit", "--config", str(project), "--wait"]) == 1
    reason = JobStore(smtui_home()).read(only_job())["FailureReason"]
    assert reason.startswith("AlgorithmError: ExecuteUserScriptError:\nExitCode 1\n")
    assert "ValueError: boom" in reason and "train.py --batch_size 64" in reason


async def test_stop_ends_every_process_of_the_host_and_keeps_the_model(
    local: Backend, project: Path
) -> None:
    write_project(
        project,
        "import os, subprocess, time\n"
        "child = subprocess.Popen(['sleep', '300'])\n"
        "print('child', child.pid, flush=True)\n"
        "open(os.path.join(os.environ['SM_MODEL_DIR'], 'partial.txt'), 'w').write('p')\n"
        "time.sleep(300)\n",
    )
    job = await submit(local, project)
    await wait_until(local, job, "Training")
    child = await child_pid(local, job)
    await local.jobs.stop_job(job)
    assert (await local.jobs.describe_job(job)).status == "Stopping"
    stopped = await wait_until(local, job, "Stopped")
    assert stopped.secondary_status == "Stopped"
    assert not alive(child, None)
    assert model_members(job) == {"partial.txt": b"p"}


def test_two_hosts_log_apart_and_share_one_model_archive(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_project(project, PROBE, count=2)
    assert main(["submit", "--config", str(project), "--wait"]) == 0
    job = only_job()
    members = model_members(job)
    assert sorted(members) == ["algo-1.json", "algo-2.json"]
    for host in ("algo-1", "algo-2"):
        resources = json.loads(members[f"{host}.json"])["files"]["resourceconfig.json"]
        assert resources["current_host"] == host and resources["hosts"] == ["algo-1", "algo-2"]
    capsys.readouterr()
    assert main(["logs", job, "--backend", "local", "--filter", "loss="]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert sorted(lines) == sorted(
        f"[{h}] {h} epoch {i} loss={1 / (i + 1):.3f}"
        for h in ("algo-1", "algo-2")
        for i in range(3)
    )


async def test_a_dead_supervisor_fails_the_job_and_its_hosts_stop(
    local: Backend, project: Path
) -> None:
    write_project(project, "import time\nprint('child 0', flush=True)\ntime.sleep(300)\n")
    job = await submit(local, project)
    await wait_until(local, job, "Training")
    await child_pid(local, job)  # the host runs
    store = JobStore(smtui_home())
    info = store.supervisor(job)
    assert info is not None and "hosts" in info
    os.kill(int(info["pid"]), signal.SIGKILL)
    failed = await wait_until(local, job, "Failed")
    assert failed.failure_reason is not None and "supervisor" in failed.failure_reason
    host = info["hosts"]["algo-1"]
    deadline = time.monotonic() + 10
    while alive(int(host["pid"]), host["start"]):
        assert time.monotonic() < deadline, "the orphaned host still runs"
        await asyncio.sleep(0.1)


async def test_max_runtime_stops_the_job(local: Backend, project: Path) -> None:
    write_project(project, "import time\ntime.sleep(300)\n", max_run=1)
    job = await submit(local, project)
    ended = await wait_until(local, job, "Stopped")
    assert ended.secondary_status == "MaxRuntimeExceeded"


def test_a_job_outlives_the_command_that_submitted_it(project: Path) -> None:
    write_project(
        project,
        "import os, time\ntime.sleep(2)\n"
        "open(os.path.join(os.environ['SM_MODEL_DIR'], 'done'), 'w').write('yes')\n",
    )
    done = subprocess.run(
        [sys.executable, "-m", "smtui", "submit", "--config", str(project)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    job = done.stdout.strip()
    store = JobStore(smtui_home())
    assert store.read(job)["TrainingJobStatus"] == "InProgress"  # the CLI has exited
    deadline = time.monotonic() + 30
    while store.read(job)["TrainingJobStatus"] == "InProgress":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert store.read(job)["TrainingJobStatus"] == "Completed"
    assert model_members(job) == {"done": b"yes"}


def test_an_empty_channel_fails_like_sagemaker(project: Path) -> None:
    write_project(project, "print('never runs')\n")
    (smtui_home() / "buckets/my-bucket/run/data/rows.csv").unlink()
    assert main(["submit", "--config", str(project), "--no-ensure-data", "--wait"]) == 1
    reason = JobStore(smtui_home()).read(only_job())["FailureReason"]
    assert reason.startswith(
        'ClientError: No S3 objects found under S3 URL "s3://my-bucket/run/data/"'
    )


@pytest.mark.parametrize("install", [False, True])
def test_requirements_are_installed_only_when_the_config_asks(
    project: Path, install: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    write_project(project, "print('trained')\n")
    if install:
        project.write_text(
            project.read_text() + "  environment:\n    SMTUI_INSTALL_REQUIREMENTS: 'true'\n"
        )
    (project.parent / "code-bundle" / "requirements.txt").write_text("# nothing to install\n")
    assert main(["submit", "--config", str(project), "--wait"]) == 0
    capsys.readouterr()
    assert main(["logs", only_job(), "--backend", "local"]) == 0
    out = capsys.readouterr().out
    assert ("-m pip install -r requirements.txt" in out) is install
    assert ("requirements.txt is not installed" in out) is not install
    assert out.splitlines()[-1] == "trained"


RESUMING = """\
import argparse, os, time
parser = argparse.ArgumentParser()
parser.add_argument("--checkpoint_dir")
parser.add_argument("--release")
args, _ = parser.parse_known_args()
found = sorted(os.listdir(args.checkpoint_dir))
print("found", found, "in", args.checkpoint_dir, flush=True)
with open(os.path.join(args.checkpoint_dir, f"step-{len(found)}.txt"), "w") as out:
    out.write(str(len(found)))
deadline = time.time() + 30
while not os.path.exists(args.release) and time.time() < deadline:
    time.sleep(0.05)
"""


async def test_checkpoints_are_copied_while_training_and_restored_for_the_next_job(
    local: Backend, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMTUI_LOCAL_CHECKPOINT_EVERY", "0.2")
    release = tmp_path / "release"
    write_project(project, RESUMING)
    project.write_text(
        project.read_text()
        + f"    checkpoint-dir: /opt/ml/checkpoints\n    release: {release}\n"
        + "  checkpoints: s3://my-bucket/run/ckpt/\n"
    )
    stored = smtui_home() / "buckets/my-bucket/run/ckpt"
    first = await submit(local, project)
    deadline = time.monotonic() + 30
    while not (stored / "step-0.txt").exists():  # copied while the script still runs
        assert time.monotonic() < deadline, "no checkpoint copied during training"
        await asyncio.sleep(0.05)
    assert (await local.jobs.describe_job(first)).status == "InProgress"
    release.touch()
    await wait_until(local, first, "Completed")
    release.unlink()
    second = await submit(local, project)
    await wait_until(local, second, "Training")
    while not (stored / "step-1.txt").exists():
        assert time.monotonic() < deadline + 30, "the second job wrote no checkpoint"
        await asyncio.sleep(0.05)
    release.touch()
    await wait_until(local, second, "Completed")
    assert sorted(p.name for p in stored.iterdir()) == ["step-0.txt", "step-1.txt"]
    (log,) = (smtui_home() / "jobs" / second / "logs").glob("algo-1-*.log")
    text = log.read_text()
    tree = smtui_home() / "jobs" / second / "algo-1" / "checkpoints"
    assert f"found ['step-0.txt'] in {tree}" in text  # restored, and the path mapped
    assert "holds 1 file(s) from s3://my-bucket/run/ckpt/" in text


async def test_a_failed_jobs_last_checkpoint_is_kept(
    local: Backend, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMTUI_LOCAL_CHECKPOINT_EVERY", "600")  # only the final copy runs
    write_project(
        project,
        "import os, sys\nopen(os.path.join(sys.argv[sys.argv.index('--checkpoint_dir') + 1],"
        " 'last.pt'), 'w').write('w')\nsys.exit(3)\n",
    )
    project.write_text(
        project.read_text()
        + "    checkpoint-dir: /opt/ml/checkpoints\n  checkpoints: s3://my-bucket/run/ckpt/\n"
    )
    job = await submit(local, project)
    ended = await wait_until(local, job, "Failed")
    assert "ExitCode 3" in ended.failure_reason
    assert (smtui_home() / "buckets/my-bucket/run/ckpt/last.pt").read_text() == "w"
