"""Tar archives from others, unpacked within a budget; the code bundle, packed on disk.

A `model.tar.gz` is written by the job's script, so it can be anything: a gzip bomb (4 GiB
from 4 MB), a sparse member declaring 1 TiB, 200,000 empty files, links pointing out, or a
member named `model.tar.gz` that would overwrite the archive while it is read. Extraction
therefore goes member by member into a fresh folder, checks each header against an
`ExtractBudget` before a byte is written, refuses sparse members and anything tarfile's
`data` filter refuses (absolute links, `..`, devices), and only moves the result into place
when the whole archive was good.
"""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from smtui.services.errors import ServiceFailed

GIB = 1024**3


@dataclass(frozen=True)
class ExtractBudget:
    """What one archive may unpack to."""

    max_bytes: int = 256 * GIB
    """Total size of the members, as their headers declare it."""
    max_members: int = 100_000
    max_ratio: float = 200.0
    """Unpacked bytes per archive byte (gzip manages about 1000 on zeros; real model weights
    about 1.1), checked once the unpacked total passes `ratio_floor`."""
    ratio_floor: int = GIB // 4


class ArchiveRefused(ServiceFailed):
    """An archive broke its budget or held a member smtui will not write."""


def extract_safely(archive: Path, dest: Path, budget: ExtractBudget | None = None) -> list[str]:
    """Extract `archive` into `dest` (created if needed) within `budget`; returns the member
    names. Nothing is left in `dest` when the archive is refused or damaged."""
    budget = budget or ExtractBudget()
    dest.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".smtui-extract-", dir=dest))
    try:
        names = _extract_into(archive, staging, budget)
        _move_into(staging, dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return names


def _extract_into(archive: Path, staging: Path, budget: ExtractBudget) -> list[str]:
    try:
        with tarfile.open(archive) as tar:
            # First every header, against the budget, so a refused archive writes nothing
            # (tarfile keeps the headers; the second pass re-reads the data, once).
            members = _checked_members(archive, tar, budget, shutil.disk_usage(staging).free)
            for member in members:
                tar.extract(member, staging, filter="data")
    except tarfile.FilterError as exc:
        raise ArchiveRefused(f"refused to extract {archive.name}: {exc}") from None
    except (tarfile.TarError, EOFError, zlib.error) as exc:
        raise ServiceFailed(
            f"{archive} is truncated or not a readable tar.gz ({exc}); download it again"
        ) from None
    except OSError as exc:
        raise ServiceFailed(f"cannot extract {archive.name}: {exc}") from None
    return [member.name for member in members]


def _checked_members(
    archive: Path, tar: tarfile.TarFile, budget: ExtractBudget, free: int
) -> list[tarfile.TarInfo]:
    packed = max(archive.stat().st_size, 1)
    members: list[tarfile.TarInfo] = []
    total = 0
    for member in tar:
        members.append(member)
        if len(members) > budget.max_members:
            raise ArchiveRefused(
                f"refused to extract {archive.name}: more than {budget.max_members:,} members"
            )
        if member.issparse():
            raise ArchiveRefused(
                f"refused to extract {archive.name}: {member.name} is a sparse file "
                f"declaring {member.size:,} bytes"
            )
        total += member.size
        _check_size(archive, member, total, packed, free, budget)
    return members


def _check_size(
    archive: Path,
    member: tarfile.TarInfo,
    total: int,
    packed: int,
    free: int,
    budget: ExtractBudget,
) -> None:
    why = None
    if total > budget.max_bytes:
        why = f"it unpacks to over {budget.max_bytes / GIB:.0f} GiB"
    elif total > budget.ratio_floor and total / packed > budget.max_ratio:
        why = (
            f"it unpacks to over {budget.max_ratio:.0f} times its own size "
            f"({total:,} bytes from {packed:,}): a compression bomb"
        )
    elif total > free:
        why = f"it unpacks to {total:,} bytes and the disk has {free:,} free"
    if why:
        raise ArchiveRefused(f"refused to extract {archive.name} at {member.name}: {why}")


def _move_into(staging: Path, dest: Path) -> None:
    """Move what was extracted into `dest`, replacing files of the same name and merging
    folders (a second extraction of the same model replaces the first)."""
    for entry in sorted(staging.iterdir()):
        target = dest / entry.name
        if entry.is_dir() and not entry.is_symlink() and target.is_dir():
            _move_into(entry, target)
            continue
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        os.replace(entry, target)
