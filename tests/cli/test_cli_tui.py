"""`smtui` with no command opens the TUI in a real terminal (a pty), and `q` quits it."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from smtui.cli import main


def read_until(fd: int, pattern: str, timeout: float = 30.0) -> str:
    """The terminal's output, escape codes removed, once it shows `pattern`."""
    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
            text = re.sub(
                r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b.",
                "",
                seen.decode("utf-8", "replace"),
            )
            if pattern in text:
                return text
    raise AssertionError(f"never showed {pattern!r}; last output: {seen[-2000:]!r}")


def exit_code(fd: int, process: subprocess.Popen[bytes], timeout: float = 30.0) -> int:
    """The app's exit code, read to the end as a terminal does: an app whose last frames
    nobody reads blocks on a full pty, as it would on a hung terminal."""
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            with contextlib.suppress(OSError):
                os.read(fd, 65536)
    return process.wait(timeout=1)


@contextlib.contextmanager
def tui_in_a_terminal(
    folder: Path, rows: int, columns: int, **env: str
) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """`smtui --backend local` in a pty of the given size; yields the pty and the process."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    environ = os.environ | {"TERM": "xterm-256color", "SMTUI_HOME": str(folder / "home")} | env
    process = subprocess.Popen(
        [sys.executable, "-m", "smtui", "--backend", "local"],
        stdin=terminal, stdout=terminal, stderr=terminal, env=environ, cwd=folder,
        start_new_session=True,
    )  # fmt: skip
    os.close(terminal)
    try:
        yield controller, process
    finally:
        if process.poll() is None:
            process.kill()
        os.close(controller)


def test_smtui_opens_the_tui_and_q_quits(tmp_path: Path) -> None:
    with tui_in_a_terminal(tmp_path, 24, 80) as (terminal, process):
        screen = read_until(terminal, "Jobs (0)")
        assert "local" in screen
        os.write(terminal, b"q")
        assert exit_code(terminal, process) == 0


def test_e_edits_the_config_in_the_editor_and_the_pane_reloads(
    project: Path, tmp_path: Path
) -> None:
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys, pathlib\n"
        "path = pathlib.Path(sys.argv[1])\n"
        "path.write_text(path.read_text().replace('ml.g5.xlarge', 'ml.p3.2xlarge'))\n"
    )
    with tui_in_a_terminal(tmp_path, 40, 120, EDITOR=f"{sys.executable} {editor}") as (
        terminal,
        process,
    ):
        read_until(terminal, "Jobs (0)")
        os.write(terminal, b"3")
        read_until(terminal, "ml.g5.xlarge")
        os.write(terminal, b"e")
        read_until(terminal, "ml.p3.2xlarge")
        assert "ml.p3.2xlarge" in project.read_text()
        os.write(terminal, b"q")
        assert exit_code(terminal, process) == 0


def test_a_bad_theme_is_refused_before_the_tui_starts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--backend", "local", "--theme", "no-such-theme"]) == 2
    err = capsys.readouterr().err
    assert "no-such-theme" in err and "textual-dark" in err


def test_a_tui_that_ends_on_an_error_exits_1(monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash used to exit 0, which a script around `smtui` could not tell from a quit."""
    import functools

    from textual.app import App

    from smtui.cli.tui import run_app
    from smtui.services.factory import BackendSettings, make_backend
    from smtui.tui.app import SmtuiApp
    from smtui.tui.main import MainScreen

    def broken(self: MainScreen) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(MainScreen, "on_mount", broken)
    monkeypatch.setattr(SmtuiApp, "run", functools.partialmethod(App.run, headless=True))
    assert run_app(make_backend(BackendSettings("local")), None) == 1
