"""The local backend's instance metrics: what SageMaker publishes per host, sampled here.

While a job runs, the supervisor samples every few seconds, for each host's processes,
the metrics SageMaker puts in CloudWatch (`core/hostmetrics.py`), and appends them to
`metrics/<host>.jsonl` in the job's folder; `LocalMetrics` answers GetMetricData's queries
from those files, so the TUI and `smtui metrics` read them as they read CloudWatch's.

- A process belongs to the host its environment names (`SM_CURRENT_HOST`, set for every
  process a host starts), so an mpirun or torchrun rank is counted where it runs.
- `CPUUtilization` is the CPU time of the host's processes over the wall time, summed over
  cores as SageMaker sums it (0-400 % on 4 cores); `MemoryUtilization` their resident
  memory over the machine's; `DiskUtilization` the file system that holds the host's tree.
- `GPUUtilization` and `GPUMemoryUtilization` come from `nvidia-smi`, for the GPUs the host
  was given, summed over them; without `nvidia-smi` there are none, as on a CPU instance.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from smtui.core.hostmetrics import METRICS, query_id
from smtui.services.local.proctree import descendants
from smtui.services.local.store import JobStore

SAMPLE_EVERY = float(os.environ.get("SMTUI_LOCAL_SAMPLE_EVERY", "2"))
"""Seconds between samples (SageMaker's are a minute apart)."""
FOLDER = "metrics"


def _ticks(pid: int) -> tuple[int, int] | None:
    """(CPU ticks used, resident pages) of a process, from /proc/<pid>/stat."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[11]) + int(fields[12]), int(fields[21])


def _host_of(pid: int) -> str | None:
    """The host a process runs for: `SM_CURRENT_HOST` in its environment."""
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return None
    for entry in environ.split(b"\0"):
        if entry.startswith(b"SM_CURRENT_HOST="):
            return entry.split(b"=", 1)[1].decode(errors="replace")
    return None


def _memory_total() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def gpu_readings() -> dict[int, tuple[float, float]]:
    """GPU index → (utilisation %, memory used %), from `nvidia-smi` ({} without one)."""
    if shutil.which("nvidia-smi") is None:
        return {}
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=index,utilization.gpu,memory.used,memory.total",
             "--format=csv,noheader,nounits"],
            capture_output=True, text=True, timeout=5, check=True,
        ).stdout  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return {}
    found: dict[int, tuple[float, float]] = {}
    for line in out.splitlines():
        try:
            index, used, memory, total = (float(part) for part in line.split(","))
        except ValueError:
            continue
        found[int(index)] = (used, 100.0 * memory / total if total else 0.0)
    return found


class Sampler:
    """Samples every host of a job below `root` (the supervisor) into `folder/metrics/`."""

    def __init__(self, root: int, folder: Path, hosts: dict[str, list[int]],
                 trees: dict[str, Path]) -> None:  # fmt: skip
        self.root = root
        self.out = folder / FOLDER
        self.hosts = hosts
        """host → the GPU indices it was given."""
        self.trees = trees
        """host → its /opt/ml tree (for the disk)."""
        self.clock_ticks = os.sysconf("SC_CLK_TCK")
        self.page = os.sysconf("SC_PAGE_SIZE")
        self.memory = _memory_total()
        self._before: dict[tuple[int, str], int] = {}
        """(pid, start) → CPU ticks at the last sample."""
        self._owner: dict[tuple[int, str], str | None] = {}
        self._last = time.monotonic()
        self.gpus: Callable[[], dict[int, tuple[float, float]]] = gpu_readings

    def sample(self) -> dict[str, dict[str, float]]:
        """One sample of every host: host → metric → value."""
        now = time.monotonic()
        wall = max(now - self._last, 1e-6)
        self._last = now
        ticks: dict[str, int] = dict.fromkeys(self.hosts, 0)
        pages: dict[str, int] = dict.fromkeys(self.hosts, 0)
        seen: dict[tuple[int, str], int] = {}
        for pid, start in descendants(self.root).items():
            key = (pid, start)
            if key not in self._owner:
                self._owner[key] = _host_of(pid)
            host = self._owner[key]
            reading = _ticks(pid)
            if host not in ticks or reading is None:
                continue
            used, resident = reading
            seen[key] = used
            ticks[host] += used - self._before.get(key, 0)  # a new process: all of its time
            pages[host] += resident
        first = not self._before
        self._before = seen
        self._owner = {key: host for key, host in self._owner.items() if key in seen}
        gpus = self.gpus()
        sample: dict[str, dict[str, float]] = {}
        for host, given in self.hosts.items():
            values: dict[str, float] = {}
            if not first:
                values["CPUUtilization"] = 100.0 * ticks[host] / self.clock_ticks / wall
            if self.memory:
                values["MemoryUtilization"] = 100.0 * pages[host] * self.page / self.memory
            try:
                usage = shutil.disk_usage(self.trees[host])
                values["DiskUtilization"] = 100.0 * usage.used / usage.total
            except OSError:
                pass
            mine = [gpus[index] for index in given if index in gpus]
            if mine:
                values["GPUUtilization"] = sum(util for util, _ in mine)
                values["GPUMemoryUtilization"] = sum(memory for _, memory in mine)
            sample[host] = values
        return sample

    def record(self) -> None:
        """Take a sample and append it to each host's file."""
        stamp = time.time()
        self.out.mkdir(exist_ok=True)
        for host, values in self.sample().items():
            if values:
                with open(self.out / f"{host}.jsonl", "a") as handle:
                    handle.write(json.dumps({"t": stamp, **values}) + "\n")

    def keep_sampling(self, done: threading.Event) -> threading.Thread:
        """Sample every `SAMPLE_EVERY` seconds until `done` is set (the first sample sets
        the CPU baseline)."""

        def loop() -> None:
            self.sample()
            while not done.wait(SAMPLE_EVERY):
                try:
                    self.record()
                except OSError:
                    pass  # a full disk must not end the job: the metrics stop, it runs on

        thread = threading.Thread(target=loop, name="metrics sampler", daemon=True)
        thread.start()
        return thread


class LocalMetrics:
    """`MetricsService` over the sampler's files, answered in GetMetricData's shape."""

    period = max(int(SAMPLE_EVERY), 1)

    def __init__(self, store: JobStore) -> None:
        self.store = store

    async def host_metrics(
        self, job: str, hosts: int, start: dt.datetime, end: dt.datetime
    ) -> list[dict[str, Any]]:
        return await asyncio.to_thread(self._read, job, hosts, start, end)

    def _read(
        self, job: str, hosts: int, start: dt.datetime, end: dt.datetime
    ) -> list[dict[str, Any]]:
        first, last = start.timestamp(), end.timestamp()
        results: list[dict[str, Any]] = []
        for number in range(1, hosts + 1):
            host = f"algo-{number}"
            points: dict[str, tuple[list[dt.datetime], list[float]]] = {
                m: ([], []) for m in METRICS
            }
            try:
                lines = (self.store.folder(job) / FOLDER / f"{host}.jsonl").read_text().splitlines()
            except OSError:
                lines = []  # not sampled yet, or a job from before the sampler
            for line in lines:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue  # a line being written
                stamp = float(record.get("t", 0))
                if not first <= stamp < last:
                    continue
                for metric in METRICS:
                    if metric in record:
                        times, values = points[metric]
                        times.append(dt.datetime.fromtimestamp(stamp, dt.UTC))
                        values.append(float(record[metric]))
            for metric, (times, values) in points.items():
                results.append({
                    "Id": query_id(metric, number), "Label": f"{job}/{host} {metric}",
                    "Timestamps": times, "Values": values, "StatusCode": "Complete",
                })  # fmt: skip
        return results
