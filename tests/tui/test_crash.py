"""A bug in the TUI: exit 1, a crash file with the traceback, and no traceback on the
screen unless `--debug` asks for it. A real pty, as a user's terminal."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui.ptyapp import pty_app


def run_to_the_bug(tmp_path: Path, *argv: str) -> tuple[int, str]:
    env = {"SMTUI_HOME": str(tmp_path / "home"), "COLUMNS": "100", "LINES": "30"}
    with pty_app("tests.tui.crash_app", *argv, env=env) as app:
        app.read_until(b"Jobs", 60)
        app.read(0.5)
        app.write(b"\x02")  # ctrl+b
        code = app.exited(30)
        return code, app.screen.decode(errors="replace")


def test_a_bug_in_the_tui_leaves_a_crash_file(tmp_path: Path) -> None:
    code, screen = run_to_the_bug(tmp_path)
    assert code == 1
    assert "smtui stopped on a bug (RuntimeError): the traceback is in" in screen
    assert "Traceback" not in screen and "hunter2" not in screen
    crashes = list((tmp_path / "home" / "crashes").glob("tui-*.txt"))
    assert len(crashes) == 1 and str(crashes[0]) in screen.replace("\r\n", "")
    text = crashes[0].read_text()
    assert "Traceback" in text and "action_bug" in text and "RuntimeError: planted bug" in text
    assert "hunter2" not in text  # URL passwords are masked in the file too
    assert crashes[0].stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("flag", ["--debug"])
def test_with_debug_the_traceback_is_shown(tmp_path: Path, flag: str) -> None:
    code, screen = run_to_the_bug(tmp_path, flag)
    assert code == 1
    assert "RuntimeError" in screen and "action_bug" in screen
    assert list((tmp_path / "home" / "crashes").glob("tui-*.txt"))
