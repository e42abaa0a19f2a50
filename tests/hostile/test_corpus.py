"""The hostile-input corpus (`corpus.py`), each case through the real command or service."""

from __future__ import annotations

import gzip
import io
import re
import tarfile
import time
from pathlib import Path

import boto3
import pytest

from smtui.cli import main
from smtui.services.archives import ExtractBudget, extract_safely
from smtui.services.errors import ServiceFailed
from tests.awsfakes import create_job, put_events
from tests.hostile.corpus import (
    ARCHIVES,
    CONFIGS,
    LOG_LINES,
    S3_KEYS,
    ArchiveCase,
    ConfigCase,
    KeyCase,
    LogCase,
)

RAW_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")
"""What must never reach a terminal from others' text (newlines split lines, tabs stay)."""
NOW = int(time.time() * 1000) - 60_000


def _no_raw_control(text: str) -> bool:
    return all(RAW_CONTROL.search(line) is None for line in text.split("\n"))


@pytest.mark.parametrize("case", CONFIGS, ids=lambda c: c.name)
def test_config(case: ConfigCase, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if isinstance(case.text, bytes):
        project.write_bytes(case.text)
    else:
        project.write_text(case.text, encoding="utf-8", errors="surrogateescape")
    assert main(["submit", "--dry-run", "--config", str(project)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # no request printed: nothing would have been sent
    assert case.expect in captured.err and str(project) in captured.err, captured.err
    assert "bug in smtui" not in captured.err and _no_raw_control(captured.err)


@pytest.mark.parametrize("case", LOG_LINES, ids=lambda c: c.name)
def test_log_line(case: LogCase, moto_aws: None, capsys: pytest.CaptureFixture[str]) -> None:
    create_job("hostile", status="Completed")
    put_events("hostile/algo-1-1", [(NOW, "before"), (NOW + 1, case.line), (NOW + 2, "after")])
    assert main(["logs", "hostile"]) == 0
    out = capsys.readouterr().out
    assert out.split("\n") == ["before", case.shown, "after", ""]
    assert _no_raw_control(out)


@pytest.mark.parametrize("case", S3_KEYS, ids=lambda c: c.name)
def test_s3_key(case: KeyCase, moto_aws: None, capsys: pytest.CaptureFixture[str]) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="bkt")
    s3.put_object(Bucket="bkt", Key=case.key, Body=b"x")
    prefix = case.key.rsplit("/", 1)[0] + "/"
    assert main(["ls", f"s3://bkt/{prefix}", "--backend", "aws"]) == 0
    out = capsys.readouterr().out
    (line,) = out.splitlines()
    assert f"  {case.shown}  " in line, line
    assert _no_raw_control(out)


def _member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "", data: bytes = b"x") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo(name)
        info.type = kind
        info.linkname = link
        if kind == tarfile.REGTYPE:
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        else:
            tar.addfile(info)
    return buffer.getvalue()


def _archive(case: ArchiveCase) -> tuple[bytes, ExtractBudget | None]:
    header = tarfile.TarInfo("f").tobuf(tarfile.USTAR_FORMAT)
    made: dict[str, tuple[bytes, ExtractBudget | None]] = {
        "member-dot-dot": (_member("../escape"), None),
        "member-deep-dot-dot": (_member("a/b/../../../escape"), None),
        "symlink-absolute": (_member("l", tarfile.SYMTYPE, "/etc/passwd"), None),
        "symlink-out": (_member("l", tarfile.SYMTYPE, "../../../etc/passwd"), None),
        "hardlink-out": (_member("l", tarfile.LNKTYPE, "/etc/passwd"), None),
        "device": (_member("dev", tarfile.CHRTYPE), None),
        "too-many-members": (
            gzip.compress(header * 11 + bytes(1024)), ExtractBudget(max_members=10)
        ),
        "ratio-bomb": (_member("z", data=bytes(4 * 1024 * 1024)), ExtractBudget(ratio_floor=1024)),
        "declares-too-much": (_member("z", data=bytes(4096)), ExtractBudget(max_bytes=1000)),
        "truncated": (_member("z", data=bytes(range(256)) * 400)[:200], None),
        "not-an-archive": (b"<html>AccessDenied</html>", None),
        "empty-file": (b"", None),
    }  # fmt: skip
    return made[case.name]


@pytest.mark.parametrize("case", ARCHIVES, ids=lambda c: c.name)
def test_archive(case: ArchiveCase, tmp_path: Path) -> None:
    data, budget = _archive(case)
    archive = tmp_path / "model.tar.gz"
    archive.write_bytes(data)
    dest = tmp_path / "out"
    with pytest.raises(ServiceFailed, match=case.expect):
        extract_safely(archive, dest, budget)
    assert list(dest.iterdir()) == []  # nothing written, not even the staging folder
    assert not (tmp_path / "escape").exists()
