"""One host's process of a local job: started, its output into the host's log stream, signalled."""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import IO

from smtui.services.local.contract import HostContract

STDERR_TAIL = 10


class Host:
    """One running host: its process, its log stream and the end of its stderr."""

    def __init__(self, contract: HostContract, log_path: Path, command: list[str]) -> None:
        self.contract = contract
        self.command = command
        self.log = log_path.open("a", encoding="utf-8")
        self.lock = threading.Lock()
        self.stderr_tail: collections.deque[str] = collections.deque(maxlen=STDERR_TAIL)
        self.process: subprocess.Popen[bytes] | None = None
        self.pumps: list[threading.Thread] = []

    def write(self, line: str) -> None:
        """One log event, stamped now."""
        with self.lock:
            self.log.write(f"{int(time.time() * 1000)}\t{line}\n")
            self.log.flush()

    def start(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            self.command,
            cwd=self.contract.code_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group, for stop
        )
        for pipe, tail in ((self.process.stdout, None), (self.process.stderr, self.stderr_tail)):
            pump = threading.Thread(target=self._pump, args=(pipe, tail), daemon=True)
            pump.start()
            self.pumps.append(pump)

    def _pump(self, pipe: IO[bytes], tail: collections.deque[str] | None) -> None:
        for raw in iter(pipe.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            self.write(line)
            if tail is not None:
                tail.append(line)

    def signal(self, sig: signal.Signals) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                pass

    def finish(self) -> None:
        for pump in self.pumps:
            pump.join(timeout=5)
        self.log.close()
