"""`--notify` on `logs --follow` and `submit --wait`, against moto: the bell and OSC 9 /
OSC 777 reach a terminal on stderr (in tmux's passthrough under tmux), the settings'
notify-command runs with the job, status and reason as arguments, and a bad one is named
before anything is sent."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from smtui.cli import main
from smtui.core.notify import Notice, osc777, sequences
from smtui.services.settings import settings_path
from tests.awsfakes import create_job, mutations, record_calls, set_status

REASON = "AlgorithmError: CUDA out of memory; exit code 1\x1b]52;c;aGk=\x07"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def settings(**values: object) -> None:
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text(json.dumps(values))


def recorder(tmp_path: Path) -> tuple[list[str], Path]:
    """A notify command that writes its argv, one word a line, to a file."""
    out = tmp_path / "argv.txt"
    script = tmp_path / "notify.py"
    script.write_text(f"import sys\nopen({str(out)!r}, 'w').write('\\n'.join(sys.argv[1:]))\n")
    return [sys.executable, str(script), "--to", "#ml"], out


def test_logs_follow_notify_rings_notifies_and_runs_the_command(
    moto_aws: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    command, out = recorder(tmp_path)
    settings(**{"notify-command": command})
    create_job("ends", status="Failed")
    set_status("ends", "Failed")
    from tests.awsfakes import sagemaker_backend

    sagemaker_backend().training_jobs["ends"].failure_reason = REASON
    monkeypatch.delenv("TMUX", raising=False)
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["logs", "ends", "--follow", "--notify"]) == 1
    written = terminal.getvalue()
    notice = Notice("ends", "Failed", REASON)
    assert sequences(notice, {}) in written
    assert written.count("\a") == 3  # the bell, and the end of each OSC
    assert (
        "\x1b]9;smtui: ends Failed: AlgorithmError: CUDA out of memory, exit code 1^[]52" in written
    )
    assert osc777("smtui: ends Failed", REASON) in written
    assert "\x1b]52" not in written  # the reason's own OSC 52 is shown, not obeyed
    assert out.read_text().splitlines() == ["--to", "#ml", "ends", "Failed", REASON]


def test_under_tmux_the_sequences_pass_through() -> None:
    wrapped = sequences(Notice("j", "Completed"), {"TMUX": "/tmp/tmux-1000/default,1,0"})
    assert wrapped.startswith("\a\x1bPtmux;\x1b\x1b]9;smtui: j Completed: j is Completed\a\x1b\\")
    assert wrapped.count("\x1bPtmux;") == 2


def test_submit_wait_notify_runs_the_command_once_it_ends(
    moto_aws: None, project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    command, out = recorder(tmp_path)
    settings(**{"notify-command": " ".join(command)})  # a string: split as words
    assert main(["submit", "--config", str(project), "--wait", "--notify"]) == 0
    job = capsys.readouterr().out.strip()
    assert out.read_text().splitlines() == ["--to", "#ml", job, "Completed"]


def test_a_bad_notify_command_is_named_before_anything_is_sent(
    moto_aws: None, project: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    settings(**{"notify-command": {"run": "x"}})
    sent = record_calls(monkeypatch)
    assert main(["submit", "--config", str(project), "--wait", "--notify"]) == 2
    assert "settings.json: notify-command: must be a command line or a list of words" in (
        capsys.readouterr().err
    )
    assert mutations(sent) == []
    assert main(["logs", "x", "--notify"]) == 2
    assert "--notify tells you when the job ends: it needs --follow" in capsys.readouterr().err


def test_a_failing_notify_command_is_said_and_the_exit_code_is_the_jobs(
    moto_aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    settings(**{"notify-command": ["smtui-no-such-notifier"]})
    create_job("done", status="Completed")
    assert main(["logs", "done", "--follow", "--notify"]) == 0
    assert "notify-command: smtui-no-such-notifier is not on PATH" in capsys.readouterr().err
