"""Folder → S3 sync: `smtui sync-data` beside `aws s3 sync`, side by side, against moto.

Run: python bench/sync.py [--small 2000] [--large 20] [--rounds 3]

It starts moto's server on 127.0.0.1 in its own process, writes a data folder of `--small`
10 KB files and `--large` 5 MB files, and in each round syncs it with both tools, each to
its own fresh prefix of one bucket, one after the other, in four steps:

- first:    every file is new;
- no-op:    nothing changed;
- 1 changed: one small file rewritten (same size, new bytes);
- touched:  every file's mtime bumped, no byte changed (a `git checkout`, an unpacked copy).

A third column, "warm", runs smtui's sync in this process with one backend kept between
steps, as the TUI's data pane and `sync-data --watch` do, so start-up is not counted.

It prints each step's median wall time (the whole command, start-up included), how many
files each tool sent, smtui's time as a ratio of the CLI's, and how long moto's server takes
just to list the prefix (raw HTTP): every resync must list, so that is a floor for both.
Both tools use their own defaults (the CLI: 10 threads, 8 MB parts; smtui: 16 threads, 8 MB
parts). Needs the test extra (moto's server) and awscli: it uses the `aws` beside this
Python, or makes bench/.venv as bench/startup.py does.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUCKET = "bench-sync"
STEPS = ("first", "no-op", "1 changed", "touched")
TOOLS = ("aws", "smtui", "warm")


def tool_bin() -> Path:
    """A bin folder with both `aws` and `smtui`."""
    here = Path(sys.executable).parent
    if (here / "aws").exists() and (here / "smtui").exists():
        return here
    sys.path.insert(0, str(ROOT / "bench"))
    from startup import ensure_venv

    return ensure_venv()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_moto(port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("moto's server did not start (is the test extra installed?)")


def write_folder(folder: Path, small: int, large: int) -> None:
    for i in range(small):
        sub = folder / f"shard-{i % 20:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"sample-{i:05d}.bin").write_bytes(os.urandom(10 * 1024))
    for i in range(large):
        (folder / f"big-{i:02d}.bin").write_bytes(os.urandom(5 * 1024 * 1024))


def change_one(folder: Path, round_no: int) -> None:
    victim = sorted(folder.glob("shard-*/sample-*.bin"))[round_no]
    victim.write_bytes(os.urandom(victim.stat().st_size))


def touch_all(folder: Path) -> None:
    later = time.time() + 5
    for path in folder.rglob("*"):
        if path.is_file():
            os.utime(path, (later, later))


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds of the command, and how many files it said it uploaded."""
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{argv[0]} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    said = done.stdout + done.stderr
    ours = re.search(r"uploaded (\d+) files?", said)
    sent = int(ours.group(1)) if ours else len(re.findall(r"^upload: ", said, re.MULTILINE))
    return elapsed, sent


def count_objects(endpoint: str, prefix: str) -> int:
    import boto3

    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
    return sum(len(page.get("Contents", [])) for page in pages)


def moto_listing_seconds(endpoint: str, prefix: str) -> float:
    """How long moto's server takes to list `prefix` (raw HTTP, no client-side parsing):
    the floor under any resync, since every tool must list what is there."""
    start = time.perf_counter()
    token = ""
    while True:
        query = f"list-type=2&prefix={prefix}" + (
            f"&continuation-token={urllib.parse.quote(token)}" if token else ""
        )
        with urllib.request.urlopen(f"{endpoint}/{BUCKET}?{query}") as reply:
            body = reply.read().decode()
        found = re.search(r"<NextContinuationToken>([^<]+)</NextContinuationToken>", body)
        if found is None:
            return time.perf_counter() - start
        token = found.group(1)


class WarmSmtui:
    """smtui's sync inside one long-lived process, as the TUI's data pane and
    `sync-data --watch` run it: start-up and client creation are paid once."""

    def __init__(self, endpoint: str, home: Path) -> None:
        from smtui.services.factory import BackendSettings, make_backend
        from smtui.services.sync import HashCache

        settings = BackendSettings("aws", region="us-east-1", endpoint_url=endpoint)
        self.backend = make_backend(settings)
        self.cache = HashCache(home / "cache" / "warm-etags.json")

    def sync(self, folder: Path, dest: str) -> tuple[float, int]:
        from smtui.services.backend import TransferProgress
        from smtui.services.sync import apply_plan, plan_folder_sync

        async def once() -> int:
            plan = await plan_folder_sync(self.backend.storage, folder, dest, self.cache)
            progress = TransferProgress()
            await apply_plan(self.backend.storage, plan, False, progress)
            return progress.done_files

        start = time.perf_counter()
        files = asyncio.run(once())
        self.cache.save()
        return time.perf_counter() - start, files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", type=int, default=2000, help="10 KB files (default 2000)")
    parser.add_argument("--large", type=int, default=20, help="5 MB files (default 20)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    bin_dir = tool_bin()
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    server = start_moto(port)
    samples: dict[tuple[str, str], list[float]] = {}
    sent: dict[tuple[str, str], int] = {}
    floor: list[float] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder, home = Path(tmp) / "data", Path(tmp) / "home"
            write_folder(folder, args.small, args.large)
            env = {
                **os.environ,
                "AWS_ACCESS_KEY_ID": "bench",
                "AWS_SECRET_ACCESS_KEY": "bench",
                "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_ENDPOINT_URL": endpoint,
                "SMTUI_HOME": str(home),
                "AWS_CONFIG_FILE": str(Path(tmp) / "no-config"),
                "AWS_SHARED_CREDENTIALS_FILE": str(Path(tmp) / "no-credentials"),
            }
            os.environ.update({k: env[k] for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")})
            timed([str(bin_dir / "aws"), "s3", "mb", f"s3://{BUCKET}"], env)
            print(
                f"{args.small} × 10 KB + {args.large} × 5 MB, {args.rounds} rounds, "
                f"moto server at {endpoint}",
                file=sys.stderr,
            )
            warm = WarmSmtui(endpoint, home)
            for round_no in range(args.rounds):
                prefixes = {tool: f"{tool}-{round_no}/" for tool in TOOLS}
                commands = {
                    "aws": [str(bin_dir / "aws"), "s3", "sync", "--no-progress",
                            str(folder), f"s3://{BUCKET}/{prefixes['aws']}"],
                    "smtui": [str(bin_dir / "smtui"), "--backend", "aws", "sync-data",
                              "--src", str(folder), "--dest", f"s3://{BUCKET}/{prefixes['smtui']}"],
                }  # fmt: skip
                for step in STEPS:
                    if step == "1 changed":
                        change_one(folder, round_no)
                    elif step == "touched":
                        touch_all(folder)
                    for tool in TOOLS if round_no % 2 == 0 else TOOLS[::-1]:
                        if tool == "warm":
                            seconds, files = warm.sync(folder, f"s3://{BUCKET}/{prefixes[tool]}")
                        else:
                            seconds, files = timed(commands[tool], env)
                        samples.setdefault((step, tool), []).append(seconds)
                        sent[(step, tool)] = files
                        print(f"  round {round_no + 1} {step:9} {tool:5} {seconds:6.2f} s "
                              f"{files:5d} files sent", file=sys.stderr)  # fmt: skip
                floor.append(moto_listing_seconds(endpoint, prefixes["smtui"]))
                for tool, prefix in prefixes.items():
                    found = count_objects(endpoint, prefix)
                    expected = args.small + args.large
                    if found != expected:
                        raise SystemExit(f"{tool} left {found} objects, expected {expected}")
    finally:
        server.terminate()
        server.wait()
    print(f"\nmedian wall time of {args.rounds} rounds (files sent in the last round)")
    print(
        f"{'step':10} {'aws s3 sync':>18} {'smtui sync-data':>18} {'smtui warm':>18} "
        f"{'smtui/aws':>10} {'warm/aws':>9}"
    )
    for step in STEPS:
        medians = {tool: statistics.median(samples[(step, tool)]) for tool in TOOLS}
        cells = " ".join(f"{medians[t]:8.2f} s ({sent[(step, t)]:5d}) " for t in TOOLS)
        print(
            f"{step:10} {cells}{medians['smtui'] / medians['aws']:9.2f}× "
            f"{medians['warm'] / medians['aws']:8.2f}×"
        )
    listing = statistics.median(floor)
    print(
        f"\nmoto's server alone takes {listing:.2f} s to list the {args.small + args.large} "
        "objects, a floor under every resync above"
    )


if __name__ == "__main__":
    main()
