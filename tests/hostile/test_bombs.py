"""Bombs: configs too big or too aliased to read, archives that unpack to too much, and a
code bundle that never sits in memory. Each bomb is made here, small on disk."""

from __future__ import annotations

import gzip
import io
import os
import shutil
import subprocess
import tarfile
import time
import tracemalloc
from pathlib import Path

import boto3
import pytest

from smtui.cli import main
from smtui.core.errors import ConfigError
from smtui.core.yamlsource import load_file
from smtui.services.archives import ArchiveRefused, ExtractBudget, extract_safely
from smtui.services.errors import ServiceFailed
from smtui.services.submit import pack_source

TIB = 1024**4


def _laughs(levels: int = 9) -> str:
    lines = ["  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    previous = "a"
    for name in "bcdefghijk"[: levels - 1]:
        lines.append(f"  {name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
        previous = name
    return "x-laughs:\n" + "\n".join(lines) + f"\nsubmit:\n  params:\n    x: *{previous}\n"


def test_billion_laughs_is_refused_at_once_naming_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "jobber.yml"
    path.write_text(_laughs())
    assert len(path.read_bytes()) < 1000  # 9**9 = 387 million strings once expanded
    started = time.monotonic()
    assert main(["submit", "--dry-run", "--config", str(path)]) == 2
    assert time.monotonic() - started < 5
    err = capsys.readouterr().err
    assert f"{path}:7: YAML aliases here expand to over 100,000 nodes" in err


def test_billion_laughs_in_the_working_folder_does_not_hang_jobs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "jobber.yml").write_text(_laughs())
    assert main(["jobs", "--backend", "local"]) == 0
    assert "jobber.yml has errors and is ignored" in capsys.readouterr().err


def test_an_alias_cycle_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "jobber.yml"
    path.write_text("submit:\n  params: &p\n    x: *p\n")
    with pytest.raises(ConfigError, match="cycle"):
        load_file(path)


def test_a_config_over_a_megabyte_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "jobber.yml"
    with path.open("wb") as handle:
        handle.write(b"submit:\n  bucket: b\n")
        handle.truncate(50 * 1024 * 1024)  # sparse: 50 MB that cost nothing to make
    started = time.monotonic()
    with pytest.raises(ConfigError, match="over 1,024 KB") as caught:
        load_file(path)
    assert time.monotonic() - started < 1
    assert str(path) in str(caught.value)


def _tgz(members: dict[str, bytes], path: Path, level: int = 6) -> Path:
    with tarfile.open(path, "w:gz", compresslevel=level) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.skipif(shutil.which("tar") is None, reason="GNU tar makes the sparse member")
def test_a_sparse_terabyte_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "src" / "weights.bin"
    big.parent.mkdir()
    with big.open("wb") as handle:
        handle.truncate(TIB)
    archive = tmp_path / "model.tar.gz"
    subprocess.run(
        ["tar", "--sparse", "-czf", str(archive), "-C", str(big.parent), "weights.bin"],
        check=True,
    )
    assert archive.stat().st_size < 100_000
    dest = tmp_path / "out"
    with pytest.raises(ArchiveRefused, match="sparse"):
        extract_safely(archive, dest)
    assert list(dest.iterdir()) == []


def test_two_hundred_thousand_members_are_refused(tmp_path: Path) -> None:
    archive = tmp_path / "model.tar.gz"
    # One empty member's header, 200,000 times (tar allows repeated names), then the end.
    header = tarfile.TarInfo("f").tobuf(tarfile.USTAR_FORMAT)
    archive.write_bytes(gzip.compress(header * 200_000 + bytes(1024), compresslevel=1))
    dest = tmp_path / "out"
    with pytest.raises(ArchiveRefused, match="more than 100,000 members"):
        extract_safely(archive, dest)
    assert list(dest.iterdir()) == []  # the staging folder went with the refusal


def test_a_gzip_bomb_is_refused_by_its_ratio(tmp_path: Path) -> None:
    archive = _tgz({"zeros.bin": bytes(20 * 1024 * 1024)}, tmp_path / "model.tar.gz", 9)
    assert archive.stat().st_size < 100_000  # over 200 to 1
    budget = ExtractBudget(ratio_floor=1024 * 1024)
    with pytest.raises(ArchiveRefused, match="compression bomb"):
        extract_safely(archive, tmp_path / "out", budget)
    assert not (tmp_path / "out" / "zeros.bin").exists()
    with pytest.raises(ArchiveRefused, match="unpacks to over"):
        extract_safely(archive, tmp_path / "out", ExtractBudget(max_bytes=1024))


@pytest.mark.parametrize("target", ["../../outside", "/etc/passwd"])
def test_links_out_of_the_folder_are_refused(tmp_path: Path, target: str) -> None:
    archive = tmp_path / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("link")
        info.type = tarfile.SYMTYPE
        info.linkname = target
        tar.addfile(info)
    with pytest.raises(ArchiveRefused, match="refused"):
        extract_safely(archive, tmp_path / "out")
    assert not (tmp_path / "out" / "link").is_symlink()


def test_a_truncated_archive_is_a_clear_failure(tmp_path: Path) -> None:
    archive = _tgz({"model.pt": os.urandom(200_000)}, tmp_path / "model.tar.gz")
    archive.write_bytes(archive.read_bytes()[:50_000])
    with pytest.raises(ServiceFailed, match="truncated or not a readable tar.gz"):
        extract_safely(archive, tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


def test_a_member_named_model_tar_gz_does_not_destroy_the_download(
    moto_aws: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.awsfakes import create_job, sagemaker_backend

    inner = _tgz({"weights.bin": b"w"}, tmp_path / "inner.tar.gz").read_bytes()
    outer = _tgz({"model.tar.gz": inner, "config.json": b"{}"}, tmp_path / "outer.tar.gz")
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="bucket")
    s3.put_object(Bucket="bucket", Key="o/model.tar.gz", Body=outer.read_bytes())
    create_job("nested", status="Completed")
    sagemaker_backend().training_jobs["nested"].model_artifacts = {
        "S3ModelArtifacts": "s3://bucket/o/model.tar.gz"
    }
    dest = tmp_path / "out"
    assert main(["download", "nested", "--dest", str(dest), "--extract"]) == 0
    assert (dest / "model.tar.gz").read_bytes() == inner  # the member, whole
    assert (dest / "model.download.tar.gz").read_bytes() == outer.read_bytes()
    assert (dest / "config.json").read_bytes() == b"{}"
    assert sorted(p.name for p in dest.iterdir()) == [
        "config.json",
        "model.download.tar.gz",
        "model.tar.gz",
    ]


def test_the_code_bundle_is_streamed_to_disk(tmp_path: Path) -> None:
    source = tmp_path / "code"
    source.mkdir()
    (source / "train.py").write_text("print('hi')\n")
    (source / "blob.bin").write_bytes(os.urandom(24 * 1024 * 1024))
    bundle = tmp_path / "sourcedir.tar.gz"
    tracemalloc.start()
    try:
        pack_source(source, bundle)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * 1024, peak  # the old in-memory bundle peaked over 24 MB
    with tarfile.open(bundle) as tar:
        assert sorted(tar.getnames()) == ["blob.bin", "train.py"]
