"""Text written by others can't drive the user's terminal or break the TUI: run in a real
pty, the app shows a log, a failure reason and hyperparameters full of escapes and markup,
and no escape from them reaches the terminal (they show as `^[`), and nothing crashes."""

from __future__ import annotations

import os
import pty
import re
import select
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CTRL_T, CTRL_X = b"\x14", b"\x18"


class Screen:
    """Everything the app wrote to its terminal."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.data = bytearray()

    def read_until(self, text: bytes, seconds: float = 30.0) -> None:
        """Read until `text` has been written (or `seconds` pass: the test then fails on
        what is missing)."""
        end = time.monotonic() + seconds
        while text not in self.data and time.monotonic() < end:
            self.read(0.1)

    def read(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if ready:
                try:
                    self.data += os.read(self.fd, 65536)
                except OSError:
                    return


def run_hostile_app(tmp_path: Path) -> tuple[bytes, bool]:
    out = tmp_path / "done"
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(ROOT)
        os.environ["TERM"] = "xterm-256color"
        os.environ["SMTUI_HOME"] = str(tmp_path / "home")
        os.environ["XDG_CONFIG_HOME"] = str(tmp_path / "config")
        os.execv(sys.executable, [sys.executable, "-m", "tests.tui.hostile_app", str(out)])
    screen = Screen(fd)
    try:
        deadline = time.monotonic() + 60
        while not out.with_suffix(".ready").exists():
            assert time.monotonic() < deadline, "the log lines never reached the view"
            screen.read(0.1)
        screen.read_until(b"^[]52;c;cHduZWQ=")
        os.write(fd, CTRL_T)  # the details: failure reason and hyperparameters
        screen.read_until(b"^[]52;c;ZmFpbA==")
        os.write(fd, CTRL_X)
        deadline = time.monotonic() + 20
        while not out.exists() and time.monotonic() < deadline:
            screen.read(0.1)
        screen.read(0.5)
        return bytes(screen.data), out.exists()
    finally:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)


def test_no_escape_from_others_reaches_the_terminal(tmp_path: Path) -> None:
    written, finished = run_hostile_app(tmp_path)
    assert finished, "the app did not survive the hostile text"
    for payload in (b"52;c;cHduZWQ=", b"0;PWNED-TITLE", b"52;c;ZmFpbA==", b"0;HP-TITLE"):
        assert b"\x1b]" + payload not in written  # the OSC was not sent
    for payload in (b"52;c;cHduZWQ=", b"0;PWNED-TITLE", b"52;c;ZmFpbA=="):
        assert b"^[]" + payload in written  # it was shown, made visible
    # No BEL but the ones that end Textual's own OSC 22 (the mouse pointer's shape): an
    # OSC from the log can't be ended, or left open to swallow what follows.
    assert b"\x07" not in re.sub(rb"\x1b\]22;[a-z-]*\x07", b"", written)
    assert "\x9b".encode() not in written  # a C1 CSI, as the UTF-8 the terminal reads
    assert b"<9b>31m csi" in written
    assert b"click[/link]" in written  # markup shown as written, not a hidden link
