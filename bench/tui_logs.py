"""The logs pane under a flood, and the app's first frame, each beside a peer.

Run: python bench/tui_logs.py [--lines 1000000] [--hosts 2] [--jobs 200]

1. Flood. A live 2-host job whose streams hold `--lines` lines in all, served in pages
   of 10,000 events (GetLogEvents' largest) by an in-memory source that builds each page
   when asked, in a thread as the real sources parse theirs, so the source itself holds no
   more than a page. Each run is its own process:
   - tui: the real path, `LogTailer` → `LogPane` (history file, bounded view, one
     `write_lines` per frame) in a headless `SmtuiApp`, timed as the peer is, from the
     tail's start (after the first frame: the app's start-up is the first-frame figure
     below) to the last line received. From the first line on, a key is pressed every
     20 ms; its latency is the time from posting it to its binding running;
   - cli: the same lines through `smtui logs`' `print_logs` into /dev/null, the peer,
     timed from the call to its return;
   each three times, alternately, and the medians compared; and the tui run again with
   three times the lines, so memory can be compared: bounded means the peak RSS barely
   moves with the line count. The CPU seconds each run took (every thread) are printed
   too, and the CPU time the hypervisor took from this virtual machine meanwhile: on a
   loaded host the seconds swing, the CPU seconds much less.
2. Last screen. A finished 16-host job of 100,000 and of 1,000,000 lines: the time from
   opening it to its last line on screen (its streams' ends are read first, so the two
   should be equal within noise).
3. First frame. moto's server on 127.0.0.1 with `--jobs` training jobs; a new process
   (bench/first_frame.py) runs `smtui --backend aws --endpoint-url …` through its own
   entry point (the parser, the config's resolution, the backend, the first page of jobs
   made ahead) with the app headless, and stops the clock when the job table has rows,
   plus a frame (1/60 s) for their paint, beside `aws sagemaker list-training-jobs`
   against the same server (awscli from bench/.venv, as bench/startup.py makes it):
   medians of 11 runs each, alternated, after one untimed run of each that warms the
   file cache.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from compiled import compile_smtui

ROOT = Path(__file__).resolve().parents[1]
JOB = "flood-20261124-090000-000"
PAGE = 10_000
FIRST_FRAME_ROUNDS = 11
"""Start-up times swing with the machine's load; more runs, alternated, steady the medians."""
BASE_MS = 1_790_000_000_000


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def flood_backend(lines: int, hosts: int, finished: bool = False) -> Any:
    """A backend with one job of `hosts` hosts and `lines` lines: flooding as a live one
    does, or `finished` (then its streams' ends can be read first)."""
    from smtui.core.jobs import JobSummary, TrainingJob
    from smtui.core.logevents import LogEvent
    from smtui.services.backend import Backend, EventPage, JobPage

    per_host = lines // hosts
    created = "2026-11-24T09:00:00+00:00"
    described = {
        "TrainingJobName": JOB,
        "TrainingJobStatus": "Completed" if finished else "InProgress",
        "SecondaryStatus": "Completed" if finished else "Training",
        "CreationTime": created,
        "LastModifiedTime": created,
        "ResourceConfig": {"InstanceType": "ml.g5.xlarge", "InstanceCount": hosts},
    }

    class Jobs:
        async def list_jobs(self, *args: Any, **kwargs: Any) -> JobPage:
            return JobPage([JobSummary.from_api(described)])

        async def describe_job(self, name: str) -> TrainingJob:
            return TrainingJob.from_api(described)

    class Flood:
        cheap = False

        async def streams(self, job: str) -> list[str]:
            return [f"{job}/algo-{h}-1700000000" for h in range(1, hosts + 1)]

        async def read(self, stream: str, token: str | None, start_ms: int | None) -> EventPage:
            host = int(stream.split("/algo-")[1].split("-")[0])
            start = int(token or 0)
            if start >= per_host:
                return EventPage([], token)
            stop = min(per_host, start + PAGE)

            def page() -> EventPage:
                events = [
                    LogEvent(
                        BASE_MS + i * hosts + host,
                        f"step {i} loss=0.{i % 9973:04d} lr=0.000300 tokens/s=18234.5 host {host}",
                        stream,
                    )
                    for i in range(start, stop)
                ]
                return EventPage(events, str(stop))

            # Built in a thread, as the real sources parse their responses in one.
            return await asyncio.to_thread(page)

        async def last(self, stream: str, limit: int) -> list[LogEvent]:
            start = max(0, per_host - min(limit, PAGE))
            page = await self.read(stream, str(start), None)
            return page.events

        async def search(self, *args: Any) -> None:
            return None

        async def job_status(self, job: str) -> str:
            return "Completed"

    return Backend("flood", Jobs(), Flood(), None, "in memory")  # type: ignore[arg-type]


async def run_tui(lines: int, hosts: int) -> dict[str, Any]:
    from textual import events
    from textual.binding import Binding

    from smtui.tui.app import SmtuiApp

    handled: list[float] = []

    class Bench(SmtuiApp):
        BINDINGS = [*SmtuiApp.BINDINGS, Binding("k", "mark", "mark")]

        def action_mark(self) -> None:
            handled.append(time.perf_counter())

    app = Bench(flood_backend(lines, hosts), job=JOB)
    latencies: list[float] = []
    async with app.run_test(size=(160, 45)) as pilot:
        while app.logs.job is None:  # the tail starts once the first frame is drawn
            await asyncio.sleep(0.001)
        start = time.perf_counter()
        while not app.logs.lines_received:  # keys before the first line wait on start-up
            await asyncio.sleep(0.001)
        cpu = time.process_time()
        while app.logs.lines_received < lines:
            before = len(handled)
            sent = time.perf_counter()
            app.post_message(events.Key("k", "k"))
            while len(handled) == before:
                await asyncio.sleep(0.001)
            latencies.append(handled[-1] - sent)
            await asyncio.sleep(0.02)
        took = time.perf_counter() - start
        cpu = time.process_time() - cpu
        await pilot.pause()
        kept = len(app.logs.view.lines)
    return {
        "lines": app.logs.lines_received,
        "seconds": took,
        "lines_per_s": lines / took,
        "cpu_s": cpu,
        "peak_rss_mb": peak_rss_mb(),
        "keys": len(latencies),
        "key_p50_ms": statistics.median(latencies) * 1000,
        "key_max_ms": max(latencies) * 1000,
        "view_lines": kept,
    }


async def last_screen(lines: int, hosts: int) -> dict[str, Any]:
    """Seconds from opening a finished job to its last line on screen."""
    from smtui.tui.app import SmtuiApp

    per_host = lines // hosts
    final = f"[algo-{hosts}] step {per_host - 1} "
    app = SmtuiApp(flood_backend(lines, hosts, finished=True), job=JOB)
    start = time.perf_counter()
    async with app.run_test(size=(160, 45)):
        view = app.logs.view
        while not (view.lines and view.lines[-1].startswith(final)):
            await asyncio.sleep(0.001)
        took = time.perf_counter() - start
    return {"seconds": took}


async def run_cli(lines: int, hosts: int) -> dict[str, Any]:
    from smtui.cli.logs import LogQuery, print_logs

    start, cpu = time.perf_counter(), time.process_time()
    with open(os.devnull, "w") as sink:
        real, sys.stdout = sys.stdout, sink
        try:
            await print_logs(flood_backend(lines, hosts), JOB, LogQuery(follow=True))
        finally:
            sys.stdout = real
    took, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {
        "seconds": took, "lines_per_s": lines / took, "cpu_s": cpu, "peak_rss_mb": peak_rss_mb()
    }  # fmt: skip


def stolen_s() -> float | None:
    """CPU seconds the hypervisor has taken from this virtual machine since boot, summed
    over its CPUs (/proc/stat's steal column), or None where that is not known."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def child(argv: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, *argv], capture_output=True, text=True, env=env, check=False
    )
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def first_frame(endpoint: str, env: dict[str, str]) -> float:
    """One run of bench/first_frame.py in a new process, in a folder without a config."""
    with tempfile.TemporaryDirectory() as empty:
        done = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "first_frame.py"), endpoint, str(time.time())],
            capture_output=True, text=True, env=env, cwd=empty, check=False,
        )  # fmt: skip
    if done.returncode != 0:
        sys.exit(f"bench/first_frame.py failed:\n{done.stderr}")
    seconds: float = json.loads(done.stdout.strip().splitlines()[-1])["seconds"]
    return seconds


def seed_moto(endpoint: str, jobs: int) -> None:
    import boto3

    client = boto3.client("sagemaker", region_name="us-east-1", endpoint_url=endpoint)
    for i in range(jobs):
        client.create_training_job(
            TrainingJobName=f"job-{i:04d}",
            RoleArn="arn:aws:iam::123456789012:role/SageMakerRole",
            AlgorithmSpecification={"TrainingImage": "img:latest", "TrainingInputMode": "File"},
            OutputDataConfig={"S3OutputPath": "s3://bucket/p/outputs/"},
            ResourceConfig={
                "InstanceType": "ml.g5.xlarge",
                "InstanceCount": 1,
                "VolumeSizeInGB": 30,
            },
            StoppingCondition={"MaxRuntimeInSeconds": 3600},
        )


def bench_first_frame(jobs: int) -> None:
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    sys.path.insert(0, str(ROOT))
    from tests.awsfakes import sort_like_sagemaker

    sort_like_sagemaker()  # SortBy, which SageMaker honours and moto lacks: the one patch
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{server.get_host_and_port()[1]}"
    env = os.environ | {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    os.environ.update(env)
    seed_moto(endpoint, jobs)
    aws = ROOT / "bench" / ".venv" / "bin" / "aws"
    smtui_times, aws_times = [], []
    for round_ in range(FIRST_FRAME_ROUNDS + 1):  # the first warms the file cache, untimed
        tui = first_frame(endpoint, env)
        if aws.exists():
            start = time.perf_counter()
            subprocess.run(
                [str(aws), "sagemaker", "list-training-jobs", "--max-items", "50",
                 "--endpoint-url", endpoint],
                env=env, check=True, stdout=subprocess.DEVNULL,
            )  # fmt: skip
            if round_:
                aws_times.append(time.perf_counter() - start)
        if round_:
            smtui_times.append(tui)
    server.stop()
    tui = statistics.median(smtui_times)
    print(
        f"first frame with jobs listed ({jobs} jobs in moto given SortBy, "
        f"medians of {FIRST_FRAME_ROUNDS} alternate runs)"
    )
    print(f"  smtui TUI, process start to rows shown   {tui * 1000:7.0f} ms")
    if aws_times:
        peer = statistics.median(aws_times)
        pairs = sorted(a / b for a, b in zip(smtui_times, aws_times, strict=True))
        print(f"  aws sagemaker list-training-jobs         {peer * 1000:7.0f} ms")
        print(
            f"  ratio smtui/aws                          {tui / peer:7.2f}x"
            f"  (run by run: {pairs[0]:.2f}x to {pairs[-1]:.2f}x)"
        )
    else:
        print("  (run bench/startup.py once to make bench/.venv with awscli for the peer)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--hosts", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "tui":
            result = asyncio.run(run_tui(int(rest[0]), int(rest[1])))
        elif kind == "cli":
            result = asyncio.run(run_cli(int(rest[0]), int(rest[1])))
        elif kind == "end":
            result = asyncio.run(last_screen(int(rest[0]), int(rest[1])))
        print(json.dumps(result))
        return
    compile_smtui()  # as its peers' installed code is
    n, hosts = args.lines, args.hosts
    tuis, clis = [], []
    stolen = stolen_s()
    for _ in range(3):
        tuis.append(child(["--child", "tui", str(n), str(hosts)]))
        clis.append(child(["--child", "cli", str(n), str(hosts)]))
    tui, cli = (sorted(runs, key=lambda run: run["seconds"])[1] for runs in (tuis, clis))
    tui["key_max_ms"] = max(run["key_max_ms"] for run in tuis)  # the worst of all three
    tui["keys"] = sum(run["keys"] for run in tuis)
    flood_s = sum(run["seconds"] for run in tuis + clis)
    after = stolen_s()
    steal = after - stolen if after is not None and stolen is not None else None
    big = child(["--child", "tui", str(3 * n), str(hosts)])
    print(f"flood: {n:,} lines from {hosts} hosts, pages of {PAGE:,} (medians of 3 runs)")
    print(
        f"  tui  {tui['lines_per_s']:>10,.0f} lines/s  {tui['seconds']:6.2f} s  "
        f"peak RSS {tui['peak_rss_mb']:6.0f} MB  view keeps {tui['view_lines']:,} lines"
    )
    print(
        f"  cli  {cli['lines_per_s']:>10,.0f} lines/s  {cli['seconds']:6.2f} s  "
        f"peak RSS {cli['peak_rss_mb']:6.0f} MB  (smtui logs into /dev/null, the peer)"
    )
    print(f"  ratio tui/cli throughput {tui['lines_per_s'] / cli['lines_per_s']:.2f}x")
    print(
        f"  CPU seconds, every thread, per million lines: tui {tui['cpu_s'] * 1e6 / n:.2f}, "
        f"cli {cli['cpu_s'] * 1e6 / n:.2f}: ratio {cli['cpu_s'] / tui['cpu_s']:.2f}x "
        "(what the machine's load moves least)"
    )
    if steal is not None:
        print(
            f"  CPU time the hypervisor took meanwhile: {steal:.1f} s over "
            f"{flood_s:.0f} s of the six runs (2 CPUs)"
        )
    print(
        f"  peak RSS with {n:,} lines {tui['peak_rss_mb']:.0f} MB, with {3 * n:,} "
        f"{big['peak_rss_mb']:.0f} MB: ratio {big['peak_rss_mb'] / tui['peak_rss_mb']:.2f}x "
        "for 3x the lines"
    )
    print(
        f"  key latency during the flood ({tui['keys']} presses in 3 runs): "
        f"p50 {tui['key_p50_ms']:.1f} ms (median run), worst {tui['key_max_ms']:.1f} ms"
    )
    print()
    ends = {size: [child(["--child", "end", str(size), "16"])["seconds"] for _ in range(3)]
            for size in (100_000, 1_000_000)}  # fmt: skip
    small, large = (statistics.median(ends[size]) for size in (100_000, 1_000_000))
    print("last screen of a finished 16-host job (median of 3)")
    print(f"  100,000 lines    {small * 1000:7.0f} ms")
    print(
        f"  1,000,000 lines  {large * 1000:7.0f} ms   ratio {large / small:.2f}x for 10x the lines"
    )
    print()
    bench_first_frame(args.jobs)


if __name__ == "__main__":
    main()
