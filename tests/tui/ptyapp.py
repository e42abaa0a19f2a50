"""A test app in its own process on a real pty, typed at as an SSH client types: bytes in
one write, read back as the terminal receives them."""

from __future__ import annotations

import os
import pty
import select
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class PtyApp:
    """The app's side of the terminal: what it wrote, and a way to type at it."""

    def __init__(self, fd: int, pid: int) -> None:
        self.fd = fd
        self.pid = pid
        self.screen = bytearray()
        """Everything the app wrote to its terminal."""
        self.status: int | None = None
        """The exit code, once `exited` has seen the process end."""

    def write(self, keys: bytes) -> None:
        """`keys` in ONE write: the app reads them together, as it does over SSH."""
        os.write(self.fd, keys)

    def read(self, seconds: float) -> None:
        """Collect what the app writes for `seconds` (or until it closes the terminal)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if ready:
                try:
                    self.screen += os.read(self.fd, 65536)
                except OSError:
                    return

    def read_until(self, text: bytes, seconds: float = 30.0) -> None:
        """Read until `text` has been written (or `seconds` pass: the test then fails on
        what is missing)."""
        end = time.monotonic() + seconds
        while text not in self.screen and time.monotonic() < end:
            self.read(0.1)

    def exited(self, seconds: float = 30.0) -> int:
        """Read until the app exits; its exit code (the test fails if it does not)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.read(0.1)
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.read(0.2)  # what it wrote last
                self.status = os.waitstatus_to_exitcode(status)
                return self.status
        raise AssertionError(f"the app did not exit within {seconds} s")

    def wait_for(self, path: Path, what: str, seconds: float = 60.0) -> None:
        """Read until the app has written `path` (its sign that it got somewhere)."""
        deadline = time.monotonic() + seconds
        while not path.exists():
            assert time.monotonic() < deadline, what
            self.read(0.1)


@contextmanager
def pty_app(module: str, *argv: str, env: dict[str, str] | None = None) -> Iterator[PtyApp]:
    """Run `python -m module argv…` from the project root on a new pty; killed at the end."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the app, on the pty
        os.chdir(ROOT)
        os.environ["TERM"] = "xterm-256color"
        os.environ.update(env or {})
        os.execv(sys.executable, [sys.executable, "-m", module, *argv])
    app = PtyApp(fd, pid)
    try:
        yield app
    finally:
        if app.status is None:  # still running, or not yet reaped
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
        os.close(fd)
