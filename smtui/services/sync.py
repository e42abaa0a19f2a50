"""Plan a folder → S3 prefix sync: which files to upload, skip, or delete.

Change is judged by size, then content: the local MD5 against the object's ETag, or for
multipart objects the multipart ETag computed with the same part size. Hashes are cached by
(path, size, mtime), so a no-op resync reads no file twice. Backends apply the plan.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from smtui.core.errors import UsageError
from smtui.core.s3uri import S3Uri
from smtui.services.backend import S3Object, StorageService, TransferProgress

CHUNK = 8 * 1024 * 1024
"""Part size used for uploads (s3transfer's default), and so for local multipart ETags."""
MIB = 1024 * 1024

PLACEHOLDER = "placeholder.txt"
"""What a submit writes into an empty data prefix (SageMaker refuses an empty channel),
taken out again by the first sync that brings real data."""


@dataclass(frozen=True)
class LocalFile:
    rel: str
    """Path relative to the synced folder, with forward slashes: the key suffix."""
    path: Path
    size: int
    mtime_ns: int


@dataclass
class SyncPlan:
    """What a sync will do, shown before it runs."""

    src: Path
    dest: str
    """The destination folder URI (with a trailing slash)."""
    uploads: list[tuple[LocalFile, str]] = field(default_factory=list)
    """Files to send, with why: `new` or `changed`."""
    skips: list[LocalFile] = field(default_factory=list)
    deletes: list[S3Object] = field(default_factory=list)
    """Objects under dest with no local file (deleted only when asked to)."""

    @property
    def upload_bytes(self) -> int:
        return sum(f.size for f, _ in self.uploads)

    def target(self, file: LocalFile) -> str:
        return self.dest + file.rel

    def summary(self, delete: bool = True) -> str:
        """One line: what will be uploaded, kept, and deleted (or, without `delete`, the
        objects only on S3, which stay)."""
        extra = (
            f"{len(self.deletes)} to delete" if delete else f"{len(self.deletes)} only on S3, kept"
        )
        return (
            f"{len(self.uploads)} to upload ({human_bytes(self.upload_bytes)}), "
            f"{len(self.skips)} unchanged, {extra}"
        )

    def take_placeholder(self, name: str) -> S3Object | None:
        """The placeholder a submit wrote into an empty data prefix, once the folder brings
        real data (and has no file of that name itself): taken out of `deletes`, for the
        caller to delete whether or not deletes were asked for, so no channel keeps it."""
        if not (self.uploads or self.skips):
            return None
        prefix = S3Uri.parse(self.dest).key
        for obj in self.deletes:
            if obj.key == prefix + name:
                self.deletes.remove(obj)
                return obj
        return None


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"


class HashCache:
    """ETags of local files keyed by (path, size, mtime), kept in a JSON file."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: dict[str, dict[str, str]] = {}
        self.dirty = False
        if path is not None and path.exists():
            try:
                self.entries = json.loads(path.read_text())
            except (OSError, ValueError):
                self.entries = {}  # a damaged cache only costs a re-read

    @staticmethod
    def _key(file: LocalFile) -> str:
        return f"{file.path.resolve()}|{file.size}|{file.mtime_ns}"

    def etag(self, file: LocalFile, part_size: int | None) -> str:
        """The S3 ETag `file` would have if uploaded in parts of `part_size` (None: one part)."""
        entry = self.entries.setdefault(self._key(file), {})
        name = "md5" if part_size is None else f"parts-{part_size}"
        if name not in entry:
            entry[name] = compute_etag(file.path, part_size)
            self.dirty = True
        return entry[name]

    def save(self) -> None:
        if self.path is not None and self.dirty:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.entries))
            tmp.replace(self.path)
            self.dirty = False


def compute_etag(path: Path, part_size: int | None) -> str:
    """MD5 hex for one part, else S3's multipart ETag: md5(concat(part md5s))-N."""
    with path.open("rb") as handle:
        if part_size is None:
            return hashlib.file_digest(handle, "md5").hexdigest()
        digests = []
        while chunk := handle.read(part_size):
            digests.append(hashlib.md5(chunk).digest())
    if not digests:
        digests.append(hashlib.md5(b"").digest())
    return f"{hashlib.md5(b''.join(digests)).hexdigest()}-{len(digests)}"


def upload_etag_parts(size: int) -> int | None:
    """The part size smtui's own uploads use for a file of `size` bytes (None: one part)."""
    return CHUNK if size >= CHUNK else None


def _part_sizes(size: int, parts: int) -> list[int]:
    """Part sizes that would cut `size` bytes into `parts` parts, likeliest first."""
    guesses = [CHUNK, 5 * MIB, 16 * MIB, 64 * MIB, math.ceil(size / parts / MIB) * MIB]
    return [p for p in dict.fromkeys(guesses) if p > 0 and math.ceil(size / p) == parts]


def same_content(file: LocalFile, remote: S3Object, cache: HashCache) -> bool:
    """Whether the object holds exactly the file's bytes, judged by its ETag."""
    etag = remote.etag.strip('"')
    if "-" in etag:
        parts = int(etag.rsplit("-", 1)[1]) if etag.rsplit("-", 1)[1].isdigit() else 0
        return any(cache.etag(file, p) == etag for p in _part_sizes(file.size, parts))
    return cache.etag(file, None) == etag


SHOWN = 5
"""Files named in an error about a folder; the rest are counted."""


def _shown(names: list[str]) -> str:
    more = f" and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
    return ", ".join(names[:SHOWN]) + more


def scan_folder(src: Path) -> list[LocalFile]:
    """Every regular file under `src` (following no symlinked folders), sorted by path.

    Raises `UsageError` before anything is uploaded when a file cannot be read or its name
    is not UTF-8 (S3 keys are UTF-8; such a name would fail half way through a sync)."""
    found: list[LocalFile] = []
    unreadable: list[str] = []
    undecodable: list[str] = []
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for name in sorted(files):
            path = Path(root) / name
            try:
                stat = path.stat()
            except OSError:
                continue  # vanished or a broken link between listing and stat
            if not path.is_file():
                continue
            rel = path.relative_to(src).as_posix()
            if not _is_utf8(rel):
                # os.walk gives undecodable bytes as surrogates; show the bytes instead
                undecodable.append(repr(os.fsencode(rel))[2:-1])
            elif not os.access(path, os.R_OK):
                unreadable.append(rel)
            else:
                found.append(LocalFile(rel, path, stat.st_size, stat.st_mtime_ns))
    if undecodable:
        raise UsageError(
            f"{src}: {len(undecodable)} file name(s) are not UTF-8, which S3 keys must be: "
            f"{_shown(undecodable)}; rename them (nothing was uploaded)"
        )
    if unreadable:
        raise UsageError(
            f"{src}: cannot read {len(unreadable)} file(s) (permission denied): "
            f"{_shown(unreadable)}; fix their permissions or move them out (nothing was uploaded)"
        )
    return found


def _is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _same(file: LocalFile, remote: S3Object, cache: HashCache) -> bool:
    try:
        return same_content(file, remote, cache)
    except OSError as exc:  # unreadable after all (EIO, a file that changed mode mid-scan)
        raise UsageError(
            f"{file.path}: cannot read it ({exc.strerror or exc}); nothing was uploaded"
        ) from None


def plan_sync(
    local: list[LocalFile], remote: list[S3Object], src: Path, dest: str, cache: HashCache
) -> SyncPlan:
    """Compare the folder's files with the objects under `dest` (keys are full keys)."""
    where = S3Uri.parse(dest).folder
    plan = SyncPlan(src, str(where))
    by_rel = {obj.key[len(where.key) :]: obj for obj in remote if obj.key.startswith(where.key)}
    for file in local:
        obj = by_rel.pop(file.rel, None)
        if obj is None:
            plan.uploads.append((file, "new"))
        elif obj.size != file.size or not _same(file, obj, cache):
            plan.uploads.append((file, "changed"))
        else:
            plan.skips.append(file)
    plan.deletes = sorted(by_rel.values(), key=lambda o: o.key)
    return plan


async def plan_folder_sync(
    storage: StorageService, src: Path, dest: str, cache: HashCache
) -> SyncPlan:
    """Scan the folder while listing the prefix, then plan; file reads and hashing run off
    the loop."""
    local, remote = await asyncio.gather(
        asyncio.to_thread(scan_folder, src),
        storage.list_all(str(S3Uri.parse(dest).folder)),
        return_exceptions=True,
    )
    # The folder's problems (unreadable files, names S3 cannot take) are the user's to fix
    # whatever the listing says, so they are reported first, whichever finished first.
    if isinstance(local, BaseException):
        raise local
    if isinstance(remote, BaseException):
        raise remote
    return await asyncio.to_thread(plan_sync, local, remote, src, dest, cache)


async def apply_plan(
    storage: StorageService, plan: SyncPlan, delete: bool, progress: TransferProgress
) -> None:
    """Upload what changed (in parallel) and, when asked, delete what has no local file.
    What finished stays finished if this is cancelled part way."""
    progress.total_bytes = plan.upload_bytes
    progress.total_files = len(plan.uploads)
    if plan.uploads:
        await storage.upload_files([(f.path, plan.target(f)) for f, _ in plan.uploads], progress)
    if delete and plan.deletes:
        bucket = S3Uri.parse(plan.dest).bucket
        await storage.delete_objects([f"s3://{bucket}/{o.key}" for o in plan.deletes])
