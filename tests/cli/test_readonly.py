"""Read-only mode in the CLI, against moto: every command that changes the account is
refused (exit 2) before it sends anything, by `--readonly` and by the settings; the dry
runs and every reading command still work; the backend refuses beneath the commands."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path

import boto3
import pytest

from smtui.cli import READONLY_REFUSED, main
from smtui.cli.parser import build_parser
from smtui.services.readonly import MUTATIONS, ReadOnlyRefused
from smtui.services.settings import settings_path
from tests.awsfakes import add_stop_training_job, create_job, mutations, record_calls


@pytest.fixture
def account(moto_aws: None, project: Path, tmp_path: Path) -> Path:
    """A bucket with data, a running job, a finished one, and a data folder to sync."""
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="my-bucket")
    s3.put_object(Bucket="my-bucket", Key="custom-run/data/stale.csv", Body=b"old")
    create_job("running")
    create_job("done", status="Completed")
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.csv").write_text("1,2\n")
    return data


def mutating_commands(project: Path, data: Path) -> list[list[str]]:
    """One invocation of each command that changes the account, as a user types it."""
    config = ["--config", str(project)]
    return [
        ["submit", *config],
        ["submit", *config, "--wait", "--tail-logs"],
        ["resubmit", "done", "--param", "lr=0.1"],
        ["stop", "running", "--yes"],
        ["warm-pool", "done", "--release", "--yes"],
        ["sync-data", *config, "--src", str(data)],
        ["sync-data", *config, "--src", str(data), "--delete", "--yes"],
        ["sync-data", *config, "--src", str(data), "--watch"],
    ]


def test_every_mutating_command_is_a_command(project: Path, tmp_path: Path) -> None:
    """The refused list names real commands, and the invocations below cover each."""
    parser = build_parser()
    commands = {cmd[0] for cmd in mutating_commands(project, tmp_path)}
    assert commands == set(READONLY_REFUSED)
    for command in mutating_commands(project, tmp_path):
        parser.parse_args([*command, "--readonly"])  # every one parses


@pytest.mark.parametrize("how", ["flag", "settings"])
def test_mutating_commands_are_refused_and_send_nothing(
    account: Path,
    project: Path,
    how: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stopped = add_stop_training_job(monkeypatch)
    extra = ["--readonly"] if how == "flag" else []
    if how == "settings":
        settings_path().parent.mkdir(parents=True, exist_ok=True)
        settings_path().write_text(json.dumps({"theme": "smtui-light", "readonly": True}))
    sent = record_calls(monkeypatch)
    for command in mutating_commands(project, account):
        assert main([*command, *extra]) == 2, command
        err = capsys.readouterr().err
        assert f"error: smtui {command[0]}: read-only mode:" in err, err
        assert "Traceback" not in err
    assert sent == [] and stopped == []  # nothing was even read: refused before the config
    s3 = boto3.client("s3", region_name="us-east-1")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="my-bucket")["Contents"]]
    assert keys == ["custom-run/data/stale.csv"]
    jobs = boto3.client("sagemaker", region_name="us-east-1").list_training_jobs()
    assert sorted(j["TrainingJobName"] for j in jobs["TrainingJobSummaries"]) == ["done", "running"]


def test_dry_runs_and_reading_commands_still_work(
    account: Path,
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sent = record_calls(monkeypatch)
    ro = ["--readonly"]
    assert main(["submit", "--config", str(project), "--dry-run", *ro]) == 0
    assert json.loads(capsys.readouterr().out)["TrainingJobName"].startswith("custom-run")
    assert main(["resubmit", "done", "--param", "lr=0.1", "--dry-run", *ro]) == 0
    assert json.loads(capsys.readouterr().out)["HyperParameters"]["lr"] == '"0.1"'
    assert main(["sync-data", "--config", str(project), "--src", str(account), "--dry-run",
                 "--delete", *ro]) == 0  # fmt: skip
    assert "1 to upload" in capsys.readouterr().err
    for command in (["jobs"], ["describe", "running"], ["logs", "done"], ["ls", "s3://my-bucket/"],
                    ["instances", "--gpu"]):  # fmt: skip
        assert main([*command, *ro]) == 0, command
    assert sent and mutations(sent) == []  # they read, and only read


def test_a_bad_readonly_setting_is_an_error_naming_the_file_and_key(
    moto_aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"readonly": "yes"}')
    assert main(["jobs"]) == 2
    assert f'error: {path}: readonly: must be true or false, not "yes"' in capsys.readouterr().err
    path.write_text('{"readonly": true,}')  # a typo: not silently writable
    assert main(["jobs"]) == 2
    assert "not valid JSON" in capsys.readouterr().err
    path.write_text('{"readonly": false}')
    assert main(["jobs"]) == 0


def test_a_theme_change_keeps_a_settings_file_it_cannot_read(tmp_path: Path) -> None:
    from smtui.tui.themes import remember_theme

    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"readonly": true,}')
    remember_theme("smtui-light")
    assert path.read_text() == '{"readonly": true,}'


async def test_the_backend_refuses_every_mutating_call_and_sends_nothing(
    moto_aws: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beneath the commands: each mutating method of the protocol, on the aws backend in
    read-only mode, raises and sends no request; the reading ones go through."""
    from smtui.services.factory import BackendSettings, make_backend

    backend = make_backend(BackendSettings("aws", region="us-east-1", readonly=True))
    assert backend.readonly
    create_job("running")
    local = tmp_path / "f.txt"
    local.write_text("x")
    sent = record_calls(monkeypatch)
    calls: dict[str, Callable[[], Awaitable[object]]] = {
        "create_job": lambda: backend.jobs.create_job({"TrainingJobName": "new"}),
        "stop_job": lambda: backend.jobs.stop_job("running"),
        "enable_remote_debug": lambda: backend.jobs.enable_remote_debug("running"),
        "keep_warm_pool": lambda: backend.jobs.keep_warm_pool("running", 0),
        "ensure_bucket": lambda: backend.storage.ensure_bucket("b", "us-east-1"),
        "put_bytes": lambda: backend.storage.put_bytes("s3://b/k", b"x"),
        "upload_files": lambda: backend.storage.upload_files([(local, "s3://b/k")]),
        "delete_objects": lambda: backend.storage.delete_objects(["s3://b/k"]),
    }
    assert set(calls) == MUTATIONS["jobs"] | MUTATIONS["storage"]
    for name, call in calls.items():
        with pytest.raises(ReadOnlyRefused, match="read-only mode"):
            await call()
        assert sent == [], name
    assert (await backend.jobs.describe_job("running")).status == "InProgress"
    assert sent == ["sagemaker:DescribeTrainingJob"]
