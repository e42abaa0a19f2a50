"""`smtui shell`: on aws, up to the exact UpdateTrainingJob request (botocore's model and
client check it; moto lacks the operation, patched as StopTrainingJob is) and the exact
`aws ssm start-session` command line; every refusal before anything is changed; and on
the local backend a real shell in a running host's tree, through a real pty."""

from __future__ import annotations

import asyncio
import json
import os
import pty
import sys
from pathlib import Path

import botocore.session
import pytest

from smtui.cli import main
from smtui.services.home import smtui_home
from smtui.services.local import local_backend
from tests.awsfakes import add_update_training_job, create_job, record_calls, set_status
from tests.cli.test_cli_tui import read_until
from tests.services.localjob import submit, wait_until, write_project


@pytest.fixture
def training(moto_aws: None) -> None:
    create_job("run-1", hosts=2)
    set_status("run-1", "InProgress", "Training")


def test_remote_debug_is_turned_on_then_the_session_starts(
    training: None, tools: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    updates = add_update_training_job(monkeypatch)
    sent = record_calls(monkeypatch)
    assert main(["shell", "run-1", "--host", "algo-2", "--yes"]) == 0
    assert updates == [
        {"TrainingJobName": "run-1", "RemoteDebugConfig": {"EnableRemoteDebug": True}}
    ]
    assert sent.count("sagemaker:UpdateTrainingJob") == 1
    model = botocore.session.get_session().get_service_model("sagemaker")
    shape = model.operation_model("UpdateTrainingJob").input_shape.members["RemoteDebugConfig"]
    assert shape.members["EnableRemoteDebug"].type_name == "boolean"  # what was sent
    assert json.loads(tools.read_text()) == [
        "ssm", "start-session", "--target", "sagemaker-training-job:run-1_algo-2",
        "--region", "us-east-1",
    ]  # fmt: skip
    # Now on: the next shell asks nothing and changes nothing.
    assert main(["shell", "run-1"]) == 0
    assert len(updates) == 1
    assert json.loads(tools.read_text())[3] == "sagemaker-training-job:run-1_algo-1"


def test_the_profile_goes_to_the_session(
    training: None, tools: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Path(os.environ["AWS_CONFIG_FILE"]).write_text("[profile dev]\nregion = us-east-1\n")
    Path(os.environ["AWS_SHARED_CREDENTIALS_FILE"]).write_text(
        "[dev]\naws_access_key_id = testing\naws_secret_access_key = testing\n"
    )
    add_update_training_job(monkeypatch)
    assert main(["--profile", "dev", "shell", "run-1", "--yes"]) == 0
    assert json.loads(tools.read_text())[-2:] == ["--profile", "dev"]


@pytest.mark.parametrize(
    ("argv", "status", "says"),
    [
        (["shell", "run-1", "--yes"], ("Completed", "Completed"),
         "run-1 is Completed (Completed): SageMaker opens a shell only while a job is "
         "Downloading or Training"),
        (["shell", "run-1", "--yes"], ("InProgress", "Starting"), "is InProgress (Starting)"),
        (["shell", "run-1", "--host", "algo-3", "--yes"], ("InProgress", "Training"),
         "--host algo-3: run-1 has 2 host(s): algo-1 … algo-2"),
        (["shell", "run-1"], ("InProgress", "Training"),
         "no terminal to confirm on; pass --yes"),
        (["--readonly", "shell", "run-1", "--yes"], ("InProgress", "Training"),
         "remote debug is off for run-1, and read-only mode: turning it on"),
    ],
)  # fmt: skip
def test_a_refusal_changes_nothing(
    training: None, tools: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], argv: list[str], status: tuple[str, str], says: str,
) -> None:  # fmt: skip
    set_status("run-1", *status)
    updates = add_update_training_job(monkeypatch)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    assert main(argv) == 2
    assert says in capsys.readouterr().err
    assert updates == [] and not tools.exists()


def test_without_the_tools_it_says_what_to_install_and_the_iam_needed(
    training: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    updates = add_update_training_job(monkeypatch)
    assert main(["shell", "run-1", "--yes"]) == 2
    err = capsys.readouterr().err
    assert "needs aws and session-manager-plugin on PATH" in err
    assert "ssm:StartSession" in err and "ssmmessages:*" in err
    assert updates == []


def test_a_local_shell_runs_in_the_hosts_tree_with_its_environment(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_project(project, "import time\nprint('training', flush=True)\ntime.sleep(60)\n",
                  count=2)  # fmt: skip
    backend = local_backend(smtui_home())
    job = asyncio.run(submit(backend, project))
    asyncio.run(wait_until(backend, job, "Training"))
    try:
        pid, fd = pty.fork()
        if pid == 0:
            os.environ.update(SHELL="/bin/sh", SMTUI_BACKEND="local")
            os.execv(sys.executable, [sys.executable, "-m", "smtui", "shell", job,
                                      "--host", "algo-2"])  # fmt: skip
        read_until(fd, "exit to come back")
        os.write(fd, b'echo "HOST=$SM_CURRENT_HOST HOSTS=$SM_HOSTS"; pwd; exit 3\n')
        code = smtui_home() / "jobs" / job / "algo-2" / "code"
        out = read_until(fd, f"\n{code}\r\n")
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 3  # the shell's own exit code
        assert 'HOST=algo-2 HOSTS=["algo-1","algo-2"]' in out
        assert "AWS_SECRET_ACCESS_KEY" not in out
    finally:
        asyncio.run(backend.jobs.stop_job(job))


def test_a_local_job_that_does_not_exist_is_named(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMTUI_BACKEND", "local")
    assert main(["shell", "no-such-job"]) != 0
    assert "no-such-job" in capsys.readouterr().err
