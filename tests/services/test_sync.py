"""Sync planning and applying against S3 in moto, and safe artifact extraction."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import boto3
import pytest

from smtui.services.artifacts import extract_safely
from smtui.services.backend import Backend, TransferProgress
from smtui.services.errors import NotFound, ServiceFailed
from smtui.services.sync import CHUNK, HashCache, apply_plan, plan_folder_sync

DEST = "s3://data-bucket/proj/data/"


class CountingCache(HashCache):
    """A cache that counts the files it had to read."""

    reads = 0

    def etag(self, file, part_size):  # type: ignore[no-untyped-def]
        key = self._key(file)
        name = "md5" if part_size is None else f"parts-{part_size}"
        if name not in self.entries.get(key, {}):
            CountingCache.reads += 1
        return super().etag(file, part_size)


async def sync(
    backend: Backend, src: Path, cache: HashCache, delete: bool = False
) -> tuple[list[str], list[str], list[str]]:
    plan = await plan_folder_sync(backend.storage, src, DEST, cache)
    await apply_plan(backend.storage, plan, delete, TransferProgress())
    return (
        sorted(f"{f.rel}:{why}" for f, why in plan.uploads),
        sorted(f.rel for f in plan.skips),
        sorted(o.key for o in plan.deletes),
    )


async def test_the_plan_judges_change_by_content(aws_backend: Backend, tmp_path: Path) -> None:
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="data-bucket")
    boto3.client("s3", region_name="us-east-1").put_object(
        Bucket="data-bucket", Key="proj/data-old/x", Body=b"x"
    )
    src = tmp_path / "data"
    (src / "sub").mkdir(parents=True)
    for name in ("same.txt", "changed.txt", "touched.txt", "gone.txt", "sub/deep.txt"):
        (src / name).write_text(f"content of {name}")
    big = src / "big.bin"
    big.write_bytes(os.urandom(CHUNK + 1234))  # multipart: the ETag is md5-of-md5s-2
    cache = CountingCache(tmp_path / "cache.json")

    uploads, skips, deletes = await sync(aws_backend, src, cache)
    assert len(uploads) == 6 and all(u.endswith(":new") for u in uploads)

    (src / "changed.txt").write_text("content of changed.txx")  # same size, new content
    (src / "new.txt").write_text("new")
    os.utime(src / "touched.txt", (1, 1))  # new mtime, same bytes
    (src / "gone.txt").unlink()
    uploads, skips, deletes = await sync(aws_backend, src, cache, delete=True)
    assert uploads == ["changed.txt:changed", "new.txt:new"]
    assert skips == ["big.bin", "same.txt", "sub/deep.txt", "touched.txt"]
    assert deletes == ["proj/data/gone.txt"]  # never proj/data-old/: the prefix ends in a slash

    cache.save()
    CountingCache.reads = 0
    uploads, skips, _ = await sync(aws_backend, src, CountingCache(tmp_path / "cache.json"))
    assert uploads == [] and len(skips) == 6
    assert CountingCache.reads == 1  # only new.txt, uploaded as new, is hashed for the first time
    CountingCache.reads = 0
    again = CountingCache(tmp_path / "cache.json")
    await sync(aws_backend, src, again)
    again.save()
    await sync(aws_backend, src, CountingCache(tmp_path / "cache.json"))
    assert CountingCache.reads == 1  # the in-memory cache of the run before was not saved
    CountingCache.reads = 0
    await sync(aws_backend, src, CountingCache(tmp_path / "cache.json"))
    assert CountingCache.reads == 0  # no file is ever read twice
    s3 = boto3.client("s3", region_name="us-east-1")
    keys = {
        o["Key"] for o in s3.list_objects_v2(Bucket="data-bucket", Prefix="proj/data/")["Contents"]
    }
    assert "proj/data/gone.txt" not in keys and "proj/data/sub/deep.txt" in keys
    assert (
        s3.head_object(Bucket="data-bucket", Key="proj/data/big.bin")["ETag"]
        .strip('"')
        .endswith("-2")
    )


async def test_a_missing_bucket_is_named(aws_backend: Backend, tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="there is no bucket 'no-such-bucket'"):
        await plan_folder_sync(
            aws_backend.storage, tmp_path, "s3://no-such-bucket/data/", HashCache(None)
        )


def _tar_with(member: str) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        data = b"evil"
        info = tarfile.TarInfo(member)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.mark.parametrize(
    "member", ["../escape.txt", "a/../../escape.txt", "model/../../escape.txt"]
)
def test_extraction_refuses_members_outside_the_folder(tmp_path: Path, member: str) -> None:
    archive = tmp_path / "model.tar.gz"
    archive.write_bytes(_tar_with(member))
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(ServiceFailed, match="refused"):
        extract_safely(archive, dest)
    assert not (tmp_path / "escape.txt").exists()


def test_absolute_members_land_inside_the_folder(tmp_path: Path) -> None:
    archive = tmp_path / "model.tar.gz"
    archive.write_bytes(_tar_with("/abs/path.txt"))
    extract_safely(archive, tmp_path / "out")
    assert (tmp_path / "out" / "abs" / "path.txt").exists()


def test_extraction_of_a_good_archive(tmp_path: Path) -> None:
    archive = tmp_path / "model.tar.gz"
    archive.write_bytes(_tar_with("model/weights.bin"))
    assert extract_safely(archive, tmp_path) == ["model/weights.bin"]
    assert (tmp_path / "model" / "weights.bin").read_bytes() == b"evil"
