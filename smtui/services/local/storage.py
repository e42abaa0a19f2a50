"""Local "S3": `s3://bucket/key` is the file `<home>/buckets/bucket/key`.

The same listing, sync and download behaviour as S3: keys are plain strings (a prefix need
not end at a folder), folders come first in a delimited listing, ETags are the MD5 of the
content (cached by path, size and mtime, as the sync planner caches them), and a write is
atomic, so a reader never sees half a file.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO, TypeVar

from smtui.core.s3uri import S3Uri
from smtui.services.backend import Listing, S3Object, TransferProgress
from smtui.services.errors import Invalid, InvalidInput, NotFound, ServiceError, ServiceFailed
from smtui.services.sync import HashCache, LocalFile

T = TypeVar("T")
COPY_THREADS = 8
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


class LocalStorage:
    """`StorageService` over a folder of buckets."""

    def __init__(self, root: Path, etags: HashCache | None = None) -> None:
        self.root = root
        """The folder holding one folder per bucket."""
        self.etags = etags or HashCache(None)
        self._etag_lock = threading.Lock()
        """Listings run in threads; the ETag cache is shared by them."""

    # --- paths -----------------------------------------------------------------------------

    def bucket_path(self, bucket: str) -> Path:
        if not BUCKET_NAME.match(bucket) or ".." in bucket:
            raise Invalid(f"'{bucket}' is not a valid bucket name (3-63 of a-z, 0-9, '.', '-')")
        return self.root / bucket

    def path_of(self, uri: str) -> Path:
        """The file behind an object URI; keys that would leave the bucket are refused."""
        where = S3Uri.parse(uri)
        path = self.confined(where)
        if not where.key or "" in where.key.split("/"):
            raise Invalid(f"'{uri}' is not an object key this backend can store")
        return path

    def confined(self, where: S3Uri) -> Path:
        """The path a key or prefix names in its bucket, checked to stay in the bucket.

        The one place every local path is made from (list, walk, stage, restore, read and
        write), so no key reaches outside `<home>/buckets/<bucket>/`. On S3 `..` is just
        two characters of a key; here it would be the folder above, so a key with a `.` or
        `..` segment is refused. The check is on the key, not on the disk: a symlink the
        user put in their own bucket (a dataset exposed without a copy) is followed."""
        root = self.bucket_path(where.bucket)
        parts = where.key.split("/")
        if any(part in (".", "..") for part in parts) or "\0" in where.key:
            raise InvalidInput(
                f"'{where}': keys with '.' or '..' segments (or NUL) cannot be stored by the "
                "local backend: on disk they would name a place outside the key's folder"
            )
        return root.joinpath(*[part for part in parts if part])

    def _folder_of(self, where: S3Uri) -> Path:
        """The deepest folder a prefix names (`a/b/c` → `a/b`), confined to the bucket."""
        self.confined(where)  # every segment checked, the last one too
        folder, _, _ = where.key.rpartition("/")
        return self.confined(S3Uri(where.bucket, folder + "/" if folder else ""))

    def _existing_bucket(self, bucket: str) -> Path:
        path = self.bucket_path(bucket)
        if not path.is_dir():
            raise NotFound(f"s3://{bucket}: there is no bucket '{bucket}' (check the name)")
        return path

    def _object(self, key: str, path: Path) -> S3Object:
        stat = path.stat()
        etag = self.etags.etag(LocalFile(key, path, stat.st_size, stat.st_mtime_ns), None)
        modified = dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC)
        return S3Object(key, stat.st_size, modified, etag)

    # --- reads -----------------------------------------------------------------------------

    async def list_prefix(self, uri: str, token: str | None = None, limit: int = 1000) -> Listing:
        where = S3Uri.parse(uri).folder

        def listing() -> Listing:
            with self._etag_lock:
                return self._list_level(where, token, limit)

        return await _off_loop(listing)

    def _list_level(self, where: S3Uri, token: str | None, limit: int) -> Listing:
        self._existing_bucket(where.bucket)
        folder = self._folder_of(where)
        entries: list[tuple[str, Path, bool]] = []  # (key or prefix, path, is_folder)
        if folder.is_dir():
            for entry in os.scandir(folder):
                if entry.name.startswith(".smtui-"):
                    continue  # a write in progress
                key = where.key + entry.name
                if entry.is_dir():
                    entries.append((key + "/", Path(entry.path), True))
                elif entry.is_file():
                    entries.append((key, Path(entry.path), False))
        entries.sort(key=lambda e: e[0])  # S3 lists in key order, prefixes among keys
        if token:
            entries = [e for e in entries if e[0] > token]
        page, rest = entries[:limit], entries[limit:]
        folders = [f"s3://{where.bucket}/{key}" for key, _, is_dir in page if is_dir]
        objects = [self._object(key, path) for key, path, is_dir in page if not is_dir]
        self.etags.save()
        return Listing(folders, objects, page[-1][0] if rest else None)

    async def list_all(self, uri: str) -> list[S3Object]:
        where = S3Uri.parse(uri)

        def listing() -> list[S3Object]:
            with self._etag_lock:
                return self._list_all(where)

        return await _off_loop(listing)

    def _list_all(self, where: S3Uri) -> list[S3Object]:
        found = [self._object(key, path) for key, path in self.walk(where)]
        self.etags.save()
        return found

    def walk(self, where: S3Uri) -> list[tuple[str, Path]]:
        """Every (key, file) under the prefix `where`, in key order; no ETags computed.
        Raises `NotFound` when the bucket does not exist."""
        bucket_root = self._existing_bucket(where.bucket)
        # Walk from the deepest folder the prefix names; keys are filtered by the prefix.
        start = self._folder_of(where)
        found: list[tuple[str, Path]] = []
        for folder, _dirs, files in os.walk(start):
            for name in files:
                path = Path(folder) / name
                key = path.relative_to(bucket_root).as_posix()
                if key.startswith(where.key) and not name.startswith(".smtui-"):
                    found.append((key, path))
        return sorted(found)

    async def read_bytes(self, uri: str) -> bytes:
        path = self.path_of(uri)

        def read() -> bytes:
            try:
                return path.read_bytes()
            except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
                raise NotFound(f"{uri}: no such object") from None

        return await _off_loop(read)

    # --- writes ----------------------------------------------------------------------------

    async def ensure_bucket(self, bucket: str, region: str | None) -> bool:
        path = self.bucket_path(bucket)

        def make() -> bool:
            if path.is_dir():
                return False
            path.mkdir(parents=True, exist_ok=True)
            return True

        return await _off_loop(make)

    async def put_bytes(self, uri: str, data: bytes) -> None:
        path = self.path_of(uri)

        def put() -> None:
            self._existing_bucket(S3Uri.parse(uri).bucket)
            write_atomically(path, lambda handle: handle.write(data))

        await _off_loop(put)

    async def upload_files(
        self, pairs: list[tuple[Path, str]], progress: TransferProgress | None = None
    ) -> None:
        progress = progress or TransferProgress()
        targets = [(source, self.path_of(uri)) for source, uri in pairs]
        buckets = {S3Uri.parse(uri).bucket for _, uri in pairs}

        def copy(source: Path, target: Path) -> None:
            try:
                with source.open("rb") as src:
                    write_atomically(target, lambda dst: _copy_counting(src, dst, progress))
            except OSError as exc:
                progress.add(failed=str(source))
                raise ServiceFailed(f"copying {source} to the local bucket: {exc}") from exc
            progress.add(files=1)

        def copy_all() -> None:
            for bucket in buckets:
                self._existing_bucket(bucket)
            with ThreadPoolExecutor(COPY_THREADS) as pool:
                futures = [pool.submit(copy, source, target) for source, target in targets]
                errors = [f.exception() for f in futures if f.exception() is not None]
            if errors:
                raise errors[0]  # type: ignore[misc]

        await _off_loop(copy_all)

    async def delete_objects(self, uris: list[str]) -> None:
        paths = [(S3Uri.parse(uri).bucket, self.path_of(uri)) for uri in uris]

        def delete() -> None:
            for bucket, path in paths:
                path.unlink(missing_ok=True)
                _prune_empty(path.parent, self.bucket_path(bucket))

        await _off_loop(delete)

    async def download(
        self, uri: str, dest: Path, progress: TransferProgress | None = None
    ) -> None:
        source = self.path_of(uri)
        progress = progress or TransferProgress()

        def fetch() -> None:
            try:
                with source.open("rb") as src:
                    write_atomically(dest, lambda dst: _copy_counting(src, dst, progress))
            except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
                raise NotFound(f"{uri}: no such object") from None
            progress.add(files=1)

        await _off_loop(fetch)


def _copy_counting(src: BinaryIO, dst: BinaryIO, progress: TransferProgress) -> None:
    while chunk := src.read(1024 * 1024):
        dst.write(chunk)
        progress.add(nbytes=len(chunk))


def write_atomically(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write through a temporary file beside `path`, then rename it into place: readers
    see the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".smtui-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _prune_empty(folder: Path, stop: Path) -> None:
    """Remove empty folders from `folder` up to (not including) `stop`: S3 has no folders."""
    while folder != stop and stop in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


async def _off_loop(work: Callable[[], T]) -> T:
    """Run file work in a thread; OS errors become service errors the user can read."""
    try:
        return await asyncio.to_thread(work)
    except ServiceError:
        raise
    except OSError as exc:
        raise ServiceFailed(f"local storage: {exc}") from exc
