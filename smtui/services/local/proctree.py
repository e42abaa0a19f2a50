"""Every process of a local job, so that stop and the end of the job leave none behind.

On SageMaker the end of a job is the end of its containers: nothing a script started
survives it. Here a host's processes are ordinary processes, and a process group is not
enough: a child that ignores SIGTERM outlives its parent, and a daemon that calls `setsid`
leaves the group. So the supervisor makes itself a *child subreaper* (Linux
`prctl(PR_SET_CHILD_SUBREAPER)`): an orphan anywhere below it is re-parented to it rather
than to init, and every process a job ever started stays below the supervisor, where a scan
of `/proc` finds it. Each process seen is also recorded (pid and start time), so one that
got away all the same (no subreaper on this kernel) is still signalled, and a reader that
finds the supervisor dead can end what it left.

A cgroup would hold them too, but creating one needs a delegated, writable cgroup tree,
which a user's session often lacks; the subreaper needs nothing.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import time
from pathlib import Path

from smtui.services.local.store import alive

PR_SET_CHILD_SUBREAPER = 36
SCAN_EVERY = 0.25
"""Seconds between scans of /proc while a job runs."""


def become_subreaper() -> bool:
    """Make this process the child subreaper of everything below it; False where the
    kernel can't (not Linux, or too old)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _table() -> dict[int, tuple[int, str, str]]:
    """pid → (parent pid, state, start time in ticks) of every process, from /proc."""
    table: dict[int, tuple[int, str, str]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return table
    for name in entries:
        if not name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{name}/stat").read_text()
        except OSError:
            continue  # it ended while we looked
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 19:
            table[int(name)] = (int(fields[1]), fields[0], fields[19])
    return table


def descendants(root: int) -> dict[int, str]:
    """Every living (not zombie) process below `root`: pid → start time."""
    table = _table()
    children: dict[int, list[int]] = {}
    for pid, (parent, _state, _start) in table.items():
        children.setdefault(parent, []).append(pid)
    found: dict[int, str] = {}
    queue = list(children.get(root, []))
    while queue:
        pid = queue.pop()
        _parent, state, start = table[pid]
        if state != "Z":
            found[pid] = start
        queue.extend(children.get(pid, []))
    return found


class ProcessTree:
    """The processes below this (supervisor) process, as scanned and recorded."""

    def __init__(self) -> None:
        self.root = os.getpid()
        self.subreaper = become_subreaper()
        self.seen: dict[int, str] = {}
        """Every process seen below the supervisor: pid → start time."""
        self.owned: dict[int, subprocess.Popen[bytes]] = {}
        """Children whose exit status `subprocess` collects (the hosts' main processes, each
        the leader of its process group), by pid."""
        self._next_scan = 0.0

    def scan(self, force: bool = False) -> bool:
        """Record what runs below the supervisor now (at most every SCAN_EVERY seconds unless
        `force`) and collect orphans that ended; True when new processes were seen."""
        now = time.monotonic()
        if not force and now < self._next_scan:
            return False
        self._next_scan = now + SCAN_EVERY
        self._reap()
        found = descendants(self.root)
        new = found.keys() - self.seen.keys()
        self.seen.update(found)
        return bool(new)

    def running(self) -> list[int]:
        """Every recorded or newly found process of the job that still runs."""
        self.scan(force=True)
        return [pid for pid, start in self.seen.items() if alive(pid, start)]

    def signal(self, sig: signal.Signals) -> int:
        """Send `sig` to every process of the job (and the hosts' process groups); returns
        how many processes were running."""
        running = self.running()
        for group, leader in self.owned.items():
            if leader.poll() is not None:
                continue  # reaped: its pid (and group id) may be another's now
            try:
                os.killpg(group, sig)
            except (ProcessLookupError, PermissionError):
                pass
        for pid in running:
            try:
                os.kill(pid, sig)
            except (ProcessLookupError, PermissionError):
                pass
        return len(running)

    def _reap(self) -> None:
        """Collect the exit status of orphans re-parented here, so they don't stay zombies
        (never of `owned` children: their statuses belong to `subprocess`)."""
        for pid, (parent, state, _start) in _table().items():
            if parent == self.root and state == "Z" and pid not in self.owned:
                try:
                    os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    pass
