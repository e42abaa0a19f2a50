"""`smtui` with no command opens the TUI in a real terminal (a pty), and `q` quits it."""

from __future__ import annotations

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


def test_smtui_opens_the_tui_and_q_quits(tmp_path: Path) -> None:
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = os.environ | {"TERM": "xterm-256color", "SMTUI_HOME": str(tmp_path / "home")}
    process = subprocess.Popen(
        [sys.executable, "-m", "smtui", "--backend", "local"],
        stdin=terminal, stdout=terminal, stderr=terminal, env=env, cwd=tmp_path,
        start_new_session=True,
    )  # fmt: skip
    os.close(terminal)
    try:
        screen = read_until(controller, "Jobs (0)")
        assert "local" in screen
        os.write(controller, b"q")
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(controller)


def test_e_edits_the_config_in_the_editor_and_the_pane_reloads(
    project: Path, tmp_path: Path
) -> None:
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys, pathlib\n"
        "path = pathlib.Path(sys.argv[1])\n"
        "path.write_text(path.read_text().replace('ml.g5.xlarge', 'ml.p3.2xlarge'))\n"
    )
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = os.environ | {
        "TERM": "xterm-256color",
        "SMTUI_HOME": str(tmp_path / "home"),
        "EDITOR": f"{sys.executable} {editor}",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "smtui", "--backend", "local"],
        stdin=terminal, stdout=terminal, stderr=terminal, env=env, cwd=tmp_path,
        start_new_session=True,
    )  # fmt: skip
    os.close(terminal)
    try:
        read_until(controller, "Jobs (0)")
        os.write(controller, b"3")
        read_until(controller, "ml.g5.xlarge")
        os.write(controller, b"e")
        read_until(controller, "ml.p3.2xlarge")
        assert "ml.p3.2xlarge" in project.read_text()
        os.write(controller, b"q")
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(controller)


def test_a_bad_theme_is_refused_before_the_tui_starts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--backend", "local", "--theme", "no-such-theme"]) == 2
    err = capsys.readouterr().err
    assert "no-such-theme" in err and "textual-dark" in err
