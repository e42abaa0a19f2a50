"""One host's process of a local job: started in its own process group, its output into the
host's log stream. Ending it is `proctree`'s job: it ends every process of the job."""

from __future__ import annotations

import collections
import subprocess
import threading
import time
from pathlib import Path
from typing import IO

from smtui.services.local.contract import HostContract
from smtui.services.local.logs import log_record

OUTPUT_TAIL = 10
"""Lines of output kept for the failure reason."""


class Host:
    """One running host: its process, its log stream and the end of its output.

    stdout and stderr share one pipe, as they share the container's output on SageMaker, so
    lines reach the log in the order the process wrote them (two pipes read by two threads
    reorder them under load). Each event carries a sequence number after its timestamp, so
    lines of the same millisecond keep their order for readers that sort."""

    def __init__(self, contract: HostContract, log_path: Path, command: list[str]) -> None:
        self.contract = contract
        self.command = command
        self.log = log_path.open("a", encoding="utf-8")
        self.lock = threading.Lock()
        self.output_tail: collections.deque[str] = collections.deque(maxlen=OUTPUT_TAIL)
        """The last lines the process wrote (stdout and stderr together)."""
        self.seq = 0
        self.log_error: OSError | None = None
        """Why the log could no longer be written, if it couldn't."""
        self.process: subprocess.Popen[bytes] | None = None
        self.pumps: list[threading.Thread] = []

    def write(self, line: str) -> None:
        """One log event, stamped now."""
        with self.lock:
            if self.log_error is not None:
                return  # the log can't be written (a full disk): the line is lost
            try:
                self.log.write(log_record(int(time.time() * 1000), self.seq, line))
                self.log.flush()
            except OSError as exc:
                # Keep draining the pipe, so the script doesn't block on a full one.
                self.log_error = exc
            self.seq += 1

    def start(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            self.command,
            cwd=self.contract.code_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, for stop
        )
        assert self.process.stdout is not None
        pump = threading.Thread(target=self._pump, args=(self.process.stdout,), daemon=True)
        pump.start()
        self.pumps.append(pump)

    def _pump(self, pipe: IO[bytes]) -> None:
        for raw in iter(pipe.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            self.write(line)
            self.output_tail.append(line)

    def finish(self) -> None:
        for pump in self.pumps:
            pump.join(timeout=5)
        try:
            self.log.close()
        except OSError:
            pass  # its last flush failed too; `log_error` says why
