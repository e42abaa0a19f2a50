"""Helpers for tests that run smtui in its own process."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Reader:
    """Collects a pipe's lines on a thread, so the test can wait for one."""

    def __init__(self, pipe: object) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(pipe,), daemon=True)
        self._thread.start()

    def _read(self, pipe: object) -> None:
        for line in pipe:  # type: ignore[attr-defined]
            self.lines.append(line.rstrip("\n"))

    def finish(self, timeout: float = 10.0) -> None:
        """Wait until the pipe is closed and every line is in (after the process ended)."""
        self._thread.join(timeout)

    def wait_for(self, test: Callable[[list[str]], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if test(self.lines):
                return True
            time.sleep(0.05)
        return test(self.lines)
