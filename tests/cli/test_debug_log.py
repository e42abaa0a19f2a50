"""`--log FILE` / `SMTUI_LOG`: a private file of AWS calls and failures, never bodies."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from smtui.cli import main
from tests.awsfakes import create_job


def test_log_records_each_aws_call_but_no_request_body(
    moto_aws: None, project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "smtui.log"
    secret = "s3cr3t-value-in-a-param"
    argv = ["--log", str(log), "submit", "--config", str(project), "--param", f"token={secret}"]
    assert main(argv) == 0
    assert main(["--log", str(log), "jobs"]) == 0
    text = log.read_text()
    assert "sagemaker:CreateTrainingJob" in text and "sagemaker:ListTrainingJobs" in text
    assert "command: submit" in text and "command: jobs" in text
    assert secret not in text
    assert log.stat().st_mode & 0o777 == 0o600
    assert not logging.getLogger("smtui").handlers  # closed when the command ended


def test_smtui_log_names_the_file_and_failures_are_logged(
    moto_aws: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "env.log"
    monkeypatch.setenv("SMTUI_LOG", str(log))
    create_job("run-1", status="Completed")
    assert main(["describe", "no-such-job"]) == 1
    assert "sagemaker:DescribeTrainingJob failed after" in log.read_text()


def test_a_log_that_cannot_be_written_is_a_usage_error(
    moto_aws: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--log", str(tmp_path / "missing" / "x.log"), "jobs"]) == 2
    err = capsys.readouterr().err
    assert "--log: cannot write the debug log" in err and "Traceback" not in err
