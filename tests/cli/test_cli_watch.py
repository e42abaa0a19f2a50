"""`smtui sync-data --watch` in its own process: files written later are sent by themselves,
also after the endpoint was away for a while."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import boto3

from tests.awsfakes import MotoEndpoint
from tests.procs import Reader


def uploads(lines: list[str]) -> int:
    """How many syncs said they sent one file."""
    return sum("uploaded 1 file " in line for line in lines)


def keys(s3: object) -> set[str]:
    listing = s3.list_objects_v2(Bucket="watched", Prefix="p/data/")  # type: ignore[attr-defined]
    return {o["Key"] for o in listing.get("Contents", [])}


def test_watch_syncs_again_when_the_folder_changes(
    moto_server: MotoEndpoint, tmp_path: Path
) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="watched")
    data = tmp_path / "data"
    data.mkdir()
    (data / "first.csv").write_text("1\n")
    argv = [sys.executable, "-m", "smtui", "--backend", "aws", "sync-data", "--watch",
            "--src", str(data), "--dest", "s3://watched/p/data/"]  # fmt: skip
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy()
    )
    err = Reader(proc.stderr)
    try:
        assert err.wait_for(lambda lines: any("watching" in x for x in lines), 30), err.lines
        assert keys(s3) == {"p/data/first.csv"}
        (data / "later").mkdir()
        (data / "later" / "second.csv").write_text("2\n")
        deadline = time.monotonic() + 30
        while keys(s3) != {"p/data/first.csv", "p/data/later/second.csv"}:
            assert time.monotonic() < deadline, err.lines
            time.sleep(0.2)
        moto_server.stop()  # an outage is reported and outlived
        (data / "third.csv").write_text("3\n")
        assert err.wait_for(lambda lines: any("syncing again" in x for x in lines), 30), err.lines
        moto_server.start()
        deadline = time.monotonic() + 30
        while "p/data/third.csv" not in keys(s3):
            assert time.monotonic() < deadline, err.lines
            time.sleep(0.2)
        # The object is on S3 a moment before the sync says so: a ctrl+c sent in between
        # interrupts the sync and its line never comes. Wait for the line itself.
        assert err.wait_for(lambda lines: uploads(lines) == 3, 30), err.lines
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 130
    finally:
        proc.kill()
        proc.wait()
    err.finish()  # every line the process wrote, not only those read so far
    assert not any("Traceback" in line for line in err.lines), err.lines
    assert uploads(err.lines) == 3, err.lines
