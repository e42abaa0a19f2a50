"""Ctrl-C during an aws transfer stops it within a second or so, aborts the multipart
uploads it started, and says what was done: a real `smtui` process, a real SIGINT, moto's
server slowed down so the sync is still running when the signal comes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.awsfakes import MotoEndpoint
from tests.procs import Reader

FILES = 500
BIG = (25, 26)
"""Files large enough for multipart uploads (sparse: they cost no disk), sorted among the
small ones so that their uploads are in flight when the signal comes."""
DELAY = {"put_object": 0.15, "upload_part": 1.5}
"""Seconds moto's server takes per PutObject and per UploadPart."""


@pytest.fixture
def slow_s3(monkeypatch: pytest.MonkeyPatch, moto_server: MotoEndpoint) -> Iterator[Any]:
    """moto's S3 taking `DELAY` per object or part written, as a far-away S3 does."""
    from moto.s3.responses import S3Response

    for name, delay in DELAY.items():
        original = getattr(S3Response, name)

        def slow(self: Any, _original: Any = original, _delay: float = delay) -> Any:
            time.sleep(_delay)
            return _original(self)

        monkeypatch.setattr(S3Response, name, slow)
    s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=moto_server.url)
    s3.create_bucket(Bucket="bkt")
    yield s3


def _source(tmp_path: Path) -> Path:
    src = tmp_path / "data"
    src.mkdir()
    for n in BIG:
        with (src / f"file-{n:04d}-big.bin").open("wb") as handle:
            handle.truncate(24 * 1024 * 1024)  # 3 parts of 8 MiB
    for n in range(FILES - len(BIG)):
        (src / f"file-{n:04d}.txt").write_text(f"{n}\n")
    return src


def _count(s3: Any) -> int:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket="bkt", Prefix="data/")
    return sum(len(page.get("Contents", [])) for page in pages)


def test_ctrl_c_stops_a_sync_aborts_multipart_uploads_and_reports(
    slow_s3: Any, tmp_path: Path
) -> None:
    src = _source(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "smtui", "sync-data", "--backend", "aws",
         "--src", str(src), "--dest", "s3://bkt/data/"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    err = Reader(proc.stderr)
    try:
        deadline = time.monotonic() + 60
        in_flight: list[Any] = []
        while time.monotonic() < deadline:
            in_flight = slow_s3.list_multipart_uploads(Bucket="bkt").get("Uploads", [])
            if in_flight and _count(slow_s3) >= 30:
                break
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGINT)
        interrupted_at = time.monotonic()
        code = proc.wait(timeout=30)
        stopped_after = time.monotonic() - interrupted_at
    finally:
        if proc.poll() is None:
            proc.kill()
    err.wait_for(lambda lines: any("interrupted" in x for x in lines), 5)
    assert code == 130, err.lines
    assert stopped_after < 3, stopped_after  # in flight: at most one slow request per thread
    uploaded = _count(slow_s3)
    assert uploaded < FILES / 2, uploaded
    report = [x for x in err.lines if x.startswith("interrupted: ")]
    assert report and f" of {FILES} uploaded" in report[0], err.lines
    done = int(report[0].split()[1])
    assert done <= uploaded  # what it says is there, is there
    assert "Traceback" not in "\n".join(err.lines)
    assert in_flight, "the test meant to interrupt multipart uploads in flight"
    assert slow_s3.list_multipart_uploads(Bucket="bkt").get("Uploads", []) == []


async def test_a_cancelled_download_stops_and_leaves_no_partial_file(
    moto_aws: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import asyncio

    from moto.s3.responses import S3Response

    from smtui.services.aws import storage
    from smtui.services.backend import TransferProgress
    from smtui.services.factory import BackendSettings, make_backend

    original = S3Response.get_object

    def slow_get(self: Any) -> Any:
        time.sleep(0.5)  # a far-away S3: each ranged GET of 8 MiB takes a while
        return original(self)

    monkeypatch.setattr(S3Response, "get_object", slow_get)
    monkeypatch.setattr(storage, "CONCURRENCY", 2)  # a thin link: two parts at a time
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="bkt")
    size = 64 * 1024 * 1024  # 8 parts: four rounds of two
    s3.put_object(Bucket="bkt", Key="model.tar.gz", Body=bytes(size))
    backend = make_backend(BackendSettings("aws", region="us-east-1"))
    dest = tmp_path / "out"
    dest.mkdir()
    progress = TransferProgress()
    task = asyncio.ensure_future(
        backend.storage.download("s3://bkt/model.tar.gz", dest / "model.tar.gz", progress)
    )
    while progress.done_bytes == 0:
        await asyncio.sleep(0.01)
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - started < 2  # at most the requests already on the wire
    assert progress.done_bytes < size
    assert list(dest.iterdir()) == []  # neither the file nor s3transfer's temporary one
