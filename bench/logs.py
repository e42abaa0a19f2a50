"""Live multi-host log following: smtui's tailer beside the SageMaker SDK's, side by side.

Run: python bench/logs.py [--hosts 16] [--seconds 120] [--rate 2]

It starts moto's server on 127.0.0.1 with an InProgress training job of `--hosts` hosts,
then runs two followers at once, each in its own process:

- smtui: what the TUI does for the job it watches: `smtui logs JOB --follow`'s code path
  (`print_logs` over the aws backend), and the host lines' one GetMetricData call a
  minute for every host's instance metrics (`tui/hosts.py`);
- sdk:   `sagemaker.core.helper.session_helper._logs_for_job(session, JOB, wait=True)` with
  its default poll, which is what `Estimator.fit(logs=True)` runs.

Every host writes `--rate` lines a second through PutLogEvents for `--seconds`; then the job
is marked Completed and both followers must drain and exit by themselves. Each line carries
the time it was put, and each follower notes when it printed it, so put-to-print latency is
measured per line. API calls are counted with a botocore `before-send` hook in each follower
(retries included), and timed: besides the whole run's rate, the steady rate is the calls
both make from `WARM_UP` seconds in until the job ends, the same window for both. That is
what watching a job costs a minute; each follower's start (reading what was logged) and its
drain after the end are paid once a job, and weigh on a short run's whole rate. Needs the
test extra (`pip install -e '.[test]'`) for moto's server.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GROUP = "/aws/sagemaker/TrainingJobs"
REGION = "us-east-1"
LINE = re.compile(r"host (\d+) seq (\d+) put (\d+\.\d+)")
WARM_UP = 30.0
"""Seconds after the lines start before the steady window opens (both followers are up)."""


class StampedOut:
    """A stdout that notes when each line is printed and what it said."""

    def __init__(self) -> None:
        self.lines: list[tuple[float, str]] = []
        self._partial = ""

    def write(self, text: str) -> int:
        now = time.time()
        *complete, self._partial = (self._partial + text).split("\n")
        self.lines += [(now, line) for line in complete]
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


# --- the followers (each in a child process) ---------------------------------------------
def follow_with_smtui(job: str, count: Any) -> None:
    import asyncio

    from smtui.cli.logs import LogQuery, print_logs
    from smtui.services.factory import BackendSettings, make_backend

    backend = make_backend(BackendSettings("aws", region=REGION))
    backend.logs.clients.on("before-send", count)  # type: ignore[attr-defined]

    async def watch() -> None:
        """What the TUI does for the job it watches: the log tail, and the host lines'
        GetMetricData for every host once a period (`tui/hosts.py`)."""
        import datetime as dt

        metrics = backend.metrics
        assert metrics is not None
        # The TUI's jobs list has described the job already; here that is one call.
        hosts = (await backend.jobs.describe_job(job)).instance_count
        tail = asyncio.create_task(print_logs(backend, job, LogQuery(follow=True)))
        while not tail.done():
            now = dt.datetime.now(dt.UTC)
            await metrics.host_metrics(job, hosts, now - dt.timedelta(minutes=30), now)
            await asyncio.wait({tail}, timeout=metrics.period)
        await tail

    asyncio.run(watch())


def follow_with_sdk(job: str, count: Any) -> None:
    from types import SimpleNamespace

    import boto3
    from sagemaker.core.helper.session_helper import _logs_for_job

    session = boto3.Session(region_name=REGION)
    session.events.register("before-send", count)
    sdk = SimpleNamespace(boto_session=session, sagemaker_client=session.client("sagemaker"))
    _logs_for_job(sdk, job, wait=True)


def follower(which: str, job: str, out_file: str) -> None:
    calls: Counter[str] = Counter()
    times: list[float] = []

    def count(request: Any, **kwargs: Any) -> None:
        times.append(time.time())
        target = request.headers.get("X-Amz-Target", b"")
        target = target.decode() if isinstance(target, bytes) else str(target)
        if not target:  # a query-protocol call (CloudWatch's): its Action names it
            body = request.body.decode() if isinstance(request.body, bytes) else str(request.body)
            target = next((p[7:] for p in body.split("&") if p.startswith("Action=")), "")
        calls[target.rsplit(".", 1)[-1] or request.url] += 1

    stamped, real = StampedOut(), sys.stdout
    sys.stdout = stamped
    start = time.time()
    try:
        (follow_with_smtui if which == "smtui" else follow_with_sdk)(job, count)
    finally:
        sys.stdout = real
    result = {"calls": dict(calls), "seconds": time.time() - start, "lines": stamped.lines,
              "times": times}  # fmt: skip
    Path(out_file).write_text(json.dumps(result))


# --- the job and its hosts (in this process, beside moto's server) ------------------------
def start_job(hosts: int) -> tuple[Any, Any]:
    import boto3

    sys.path.insert(0, str(ROOT))
    from tests.awsfakes import create_job, sagemaker_backend

    logs = boto3.client("logs", region_name=REGION)
    create_job("bench", hosts=hosts)
    job = sagemaker_backend().training_jobs["bench"]
    logs.create_log_group(logGroupName=GROUP)
    for host in range(1, hosts + 1):
        logs.create_log_stream(logGroupName=GROUP, logStreamName=stream_of(host))
    return logs, job


def stream_of(host: int) -> str:
    return f"bench/algo-{host}-1700000000"


def write_lines(logs: Any, hosts: int, seconds: float, rate: float) -> int:
    """Every host puts one line each 1/rate s (as the CloudWatch agent does, in a call)."""
    seq, start = 0, time.time()
    while time.time() - start < seconds:
        tick = start + seq / rate
        time.sleep(max(0.0, tick - time.time()))
        for host in range(1, hosts + 1):
            now = time.time()
            message = f"step {seq}: loss=0.{seq % 97:02d} host {host} seq {seq} put {now:.6f}"
            logs.put_log_events(
                logGroupName=GROUP,
                logStreamName=stream_of(host),
                logEvents=[{"timestamp": int(now * 1000), "message": message}],
            )
        seq += 1
    return seq


def summarise(
    name: str, result: dict[str, Any], hosts: int, steps: int, window: tuple[float, float]
) -> dict[str, Any]:
    latencies, seen = [], Counter[tuple[int, int]]()
    for printed, line in result["lines"]:
        match = LINE.search(line)
        if match:
            seen[(int(match[1]), int(match[2]))] += 1
            latencies.append(printed - float(match[3]))
    calls = sum(result["calls"].values())
    opens, closes = window
    steady = sum(opens <= t < closes for t in result["times"])
    latencies.sort()
    return {
        "name": name,
        "calls": calls,
        "per_min": calls / result["seconds"] * 60,
        "steady_per_min": steady / (closes - opens) * 60 if closes > opens else float("nan"),
        "by_op": result["calls"],
        "lost": hosts * steps - len(seen),
        "repeated": sum(n - 1 for n in seen.values()),
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p95": latencies[int(len(latencies) * 0.95)] if latencies else float("nan"),
        "max": latencies[-1] if latencies else float("nan"),
        "seconds": result["seconds"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hosts", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--rate", type=float, default=2.0, help="lines per host per second")
    parser.add_argument("--follower", choices=["smtui", "sdk"], help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.follower:
        follower(args.follower, "bench", args.out)
        return

    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    url = "http://127.0.0.1:%d" % server.get_host_and_port()[1]
    env = os.environ | {
        "AWS_ENDPOINT_URL": url,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": REGION,
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)
    logs, job = start_job(args.hosts)
    print(
        f"{args.hosts} hosts × {args.rate:g} lines/s for {args.seconds:g} s on moto's server;"
        " both followers run at once",
        file=sys.stderr,
    )
    with tempfile.TemporaryDirectory() as tmp:
        outs = {name: str(Path(tmp) / f"{name}.json") for name in ("smtui", "sdk")}
        children = {
            name: subprocess.Popen(
                [sys.executable, __file__, "--follower", name, "--out", out], env=env
            )
            for name, out in outs.items()
        }
        begun = time.time()
        steps = write_lines(logs, args.hosts, args.seconds, args.rate)
        job.training_job_status = "Completed"
        ended = time.time()
        for name, child in children.items():
            child.wait(timeout=300)
            print(f"{name} exited {time.time() - ended:.1f} s after the job ended", file=sys.stderr)
        rows = [
            summarise(
                name, json.loads(Path(out).read_text()), args.hosts, steps, (begun + WARM_UP, ended)
            )  # fmt: skip
            for name, out in outs.items()
        ]
    server.stop()
    print(f"\n{'follower':8} {'calls':>6} {'calls/min':>9} {'steady/min':>10} {'lost':>5} "
          f"{'repeated':>8} {'p50 s':>6} {'p95 s':>6} {'max s':>6}")  # fmt: skip
    for row in rows:
        print(
            f"{row['name']:8} {row['calls']:6d} {row['per_min']:9.1f} "
            f"{row['steady_per_min']:10.1f} {row['lost']:5d} {row['repeated']:8d} "
            f"{row['p50']:6.2f} {row['p95']:6.2f} {row['max']:6.2f}"
        )
    ours, sdk = rows
    for row in rows:
        print(f"{row['name']} calls by operation: {row['by_op']}")
    print(
        f"\nsmtui/sdk: calls {ours['calls'] / sdk['calls']:.2f}×, "
        f"calls per minute {ours['per_min'] / sdk['per_min']:.2f}×, "
        f"steady calls per minute {ours['steady_per_min'] / sdk['steady_per_min']:.2f}× "
        f"({WARM_UP:g} s in to the job's end), "
        f"median latency {ours['p50'] / sdk['p50']:.2f}×, "
        f"p95 latency {ours['p95'] / sdk['p95']:.2f}×"
    )


if __name__ == "__main__":
    main()
