"""Local jobs on disk: one folder per job under `<home>/jobs/`, described the way SageMaker
describes a job.

`state.json` is a DescribeTrainingJob-shaped object. The supervisor writes it as the job
moves on; `stop` and the orphan check write it too, so every change is a read-modify-write
under a lock on the job's `state.lock`, and every write is an atomic rename, so readers
never need the lock. `supervisor.json` says which processes run the job, so a reader can
tell a live job from one whose supervisor died with the machine.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import re
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from smtui.core.jobs import TERMINAL
from smtui.services.errors import NotFound, ServiceFailed
from smtui.services.local.storage import write_atomically

JOB_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
"""SageMaker's training job name pattern."""
STATE = "state.json"
REQUEST = "request.json"
SHELL_FILE = "shell.json"
"""In each host's folder: its code folder and environment, for `smtui shell` (owner only)."""
SUPERVISOR = "supervisor.json"
REASON = "supervisor.reason"
"""Room the supervisor reserves at start for the reason it could not finish the job."""
REASON_BYTES = 2048
LAUNCH_GRACE = 30.0
"""Seconds a job may go without `supervisor.json` before it counts as orphaned."""


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def seconds_between(start: str, end: str) -> int:
    return max(
        0,
        round((dt.datetime.fromisoformat(end) - dt.datetime.fromisoformat(start)).total_seconds()),
    )


def write_json(path: Path, value: Any) -> None:
    """Write JSON atomically: readers see the old state or the new, never half."""
    text = json.dumps(value, indent=1).encode()
    write_atomically(path, lambda handle: handle.write(text))


def enter_secondary(state: dict[str, Any], status: str, message: str, final: bool = False) -> None:
    """Move the job to a new secondary status, closing the one before (as SageMaker does)."""
    now = now_iso()
    transitions = state.setdefault("SecondaryStatusTransitions", [])
    if transitions and "EndTime" not in transitions[-1]:
        transitions[-1]["EndTime"] = now
    entry = {"Status": status, "StartTime": now, "StatusMessage": message}
    if final:
        entry["EndTime"] = now
    transitions.append(entry)
    state["SecondaryStatus"] = status
    state["LastModifiedTime"] = now


def finish(state: dict[str, Any], status: str, secondary: str, message: str,
           reason: str | None = None) -> None:  # fmt: skip
    """End the job: its final status, end time, billable seconds and failure reason."""
    enter_secondary(state, secondary, message, final=True)
    now = state["LastModifiedTime"]
    state["TrainingJobStatus"] = status
    state["TrainingEndTime"] = now
    start = state.get("TrainingStartTime") or state["CreationTime"]
    seconds = seconds_between(start, now)
    state["TrainingTimeInSeconds"] = seconds
    state["BillableTimeInSeconds"] = seconds
    if reason:
        state["FailureReason"] = reason[:1024]  # SageMaker keeps the first 1024 characters


def reserve_reason(folder: Path) -> None:
    """Allocate `supervisor.reason` while there is room: on a full disk, overwriting bytes
    already allocated still works where creating or growing a file does not."""
    with open(folder / REASON, "wb") as handle:
        handle.write(b" " * REASON_BYTES)
        handle.flush()
        os.fsync(handle.fileno())


def record_reason(folder: Path, reason: str) -> None:
    """Write why the supervisor cannot finish into its reserved room (never growing it),
    for the next reader to put in FailureReason. Best effort: the supervisor is dying."""
    data = reason.encode("utf-8", "replace")[: REASON_BYTES - 1]
    try:
        with open(folder / REASON, "r+b") as handle:
            handle.write(data + b"\n" + b" " * (REASON_BYTES - len(data) - 1))
            handle.flush()
    except OSError:
        pass


def read_reason(folder: Path) -> str | None:
    """What `record_reason` wrote, or None."""
    try:
        text = (folder / REASON).read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None
    return text or None


def unreadable(what: str, exc: OSError) -> ServiceFailed:
    """A typed error for a local file that can't be read or written (a full disk, a
    permission, an I/O error), naming the file and the system's reason."""
    return ServiceFailed(f"local backend: cannot {what}: {exc.strerror or exc}")


# --- processes -------------------------------------------------------------------------------


def process_start(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), or None when unknown.
    With the pid it names one process for good: pids are reused, start times are not."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 and fields[0] != "Z" else "zombie"


def alive(pid: int, start: str | None) -> bool:
    """Whether process `pid`, started at `start` (see `process_start`), still runs."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: not ours any more
    now = process_start(pid)
    if now == "zombie":
        return False
    return start is None or now is None or now == start


class JobStore:
    """The jobs folder of one smtui home."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.root = home / "jobs"

    def folder(self, name: str) -> Path:
        if not JOB_NAME.match(name):  # never a path: `../x` names no job
            raise NotFound(f"Could not find requested job with name {name} (local backend)")
        return self.root / name

    def names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        try:
            return [p.name for p in self.root.iterdir() if (p / STATE).is_file()]
        except OSError as exc:
            raise unreadable(f"list the jobs in {self.root}", exc) from exc

    def read(self, name: str) -> dict[str, Any]:
        """The job's state, after checking that a running job still has its supervisor."""
        state = self._read(name)
        if state["TrainingJobStatus"] not in TERMINAL and self.orphaned(name, state):
            try:
                state = self.update(name, self._end_orphan)
            except (OSError, ServiceFailed):
                # The disk is full (or read-only): say how the job ended even if it can't be
                # written down; the next reader tries again.
                self._end_orphan(state)
        return state

    def _read(self, name: str) -> dict[str, Any]:
        path = self.folder(name) / STATE
        try:
            state: dict[str, Any] = json.loads(path.read_text())
        except FileNotFoundError:
            raise NotFound(
                f"Could not find requested job with name {name} (local backend)"
            ) from None
        except OSError as exc:
            raise unreadable(f"read {path}", exc) from exc
        except ValueError as exc:
            raise ServiceFailed(f"local backend: {path} is damaged ({exc})") from exc
        return state

    def request(self, name: str) -> dict[str, Any]:
        path = self.folder(name) / REQUEST
        try:
            request: dict[str, Any] = json.loads(path.read_text())
        except OSError as exc:
            raise unreadable(f"read {path}", exc) from exc
        return request

    @contextmanager
    def _locked(self, name: str) -> Iterator[None]:
        with open(self.folder(name) / "state.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def update(self, name: str, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        """Apply `change` to the job's state under its lock and write it back. Raises
        `ServiceFailed` when it can't be written (a full disk)."""
        try:
            with self._locked(name):
                state = self._read(name)
                change(state)
                write_json(self.folder(name) / STATE, state)
                return state
        except OSError as exc:
            raise unreadable(f"write the state of job {name}", exc) from exc

    # --- supervisors ---------------------------------------------------------------------

    def supervisor(self, name: str) -> dict[str, Any] | None:
        try:
            info: dict[str, Any] = json.loads((self.folder(name) / SUPERVISOR).read_text())
        except (OSError, ValueError):
            return None
        return info

    def note_processes(self, name: str, **info: Any) -> None:
        """Add to `supervisor.json` (the supervisor's pid, its hosts' pids)."""
        with self._locked(name):
            current = self.supervisor(name) or {}
            write_json(self.folder(name) / SUPERVISOR, current | info)

    def orphaned(self, name: str, state: dict[str, Any]) -> bool:
        info = self.supervisor(name)
        if info is None:
            created = dt.datetime.fromisoformat(state["CreationTime"])
            age = (dt.datetime.now(dt.UTC) - created).total_seconds()
            return age > LAUNCH_GRACE
        return not alive(int(info["pid"]), info.get("start"))

    def _end_orphan(self, state: dict[str, Any]) -> None:
        name = state["TrainingJobName"]
        if state["TrainingJobStatus"] in TERMINAL or not self.orphaned(name, state):
            return  # the supervisor finished (or came up) while we waited for the lock
        self.kill_hosts(name, signal.SIGKILL)
        info = self.supervisor(name) or {}
        pid = f" (pid {info['pid']})" if "pid" in info else ""
        if state["TrainingJobStatus"] == "Stopping":
            finish(state, "Stopped", "Stopped", "Training job stopped by user")
            return
        last_words = read_reason(self.folder(name))
        why = (
            f"ended without finishing the job: {last_words}"
            if last_words
            else "is gone (the machine restarted or the process was killed), so this job "
            "cannot finish"
        )
        finish(
            state,
            "Failed",
            "Failed",
            "The local supervisor process ended without finishing the job",
            f"InternalServerError: the local supervisor{pid} {why}; resubmit it",
        )

    def kill_hosts(self, name: str, sig: signal.Signals) -> None:
        """Signal every host's process group that still runs, and every process of the job
        the supervisor recorded (children that left the group, daemons)."""
        info = self.supervisor(name) or {}
        for host in info.get("hosts", {}).values():
            if alive(int(host["pid"]), host.get("start")):
                try:
                    os.killpg(int(host["pid"]), sig)
                except ProcessLookupError:
                    pass
        for pid, start in info.get("tree", {}).items():
            if alive(int(pid), start):
                try:
                    os.kill(int(pid), sig)
                except ProcessLookupError:
                    pass
