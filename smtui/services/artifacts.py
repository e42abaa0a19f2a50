"""Model artifacts: fetch `model.tar.gz` and extract it without writing outside the folder.

The archive is downloaded under a temporary name and extracted through a fresh staging
folder (see `archives`), so neither an interrupted download nor a member that is itself
named `model.tar.gz` (SageMaker packs whatever the script saved into SM_MODEL_DIR) can
destroy the archive while it is read.
"""

from __future__ import annotations

import asyncio
import contextlib
import tarfile
import zlib
from pathlib import Path

from smtui.core.errors import UsageError
from smtui.services.archives import ExtractBudget, extract_safely
from smtui.services.backend import Backend
from smtui.services.errors import NotFound

__all__ = ["ExtractBudget", "download_artifacts", "extract_safely"]

ARCHIVE = "model.tar.gz"
INNER_CLASH = "model.download.tar.gz"
"""Where the downloaded archive is kept when it held a `model.tar.gz` of its own."""


def _check_dest(dest: Path) -> None:
    if dest.exists() and not dest.is_dir():
        raise UsageError(f"--dest: '{dest}' is a file, not a folder; name a folder to fetch into")
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--dest: cannot create the folder '{dest}': {exc.strerror}") from None


def _existing(archive: Path, dest: Path) -> list[str]:
    """The archive's files that already exist under `dest` ([] when it cannot be read:
    `extract_safely` then says what is wrong with it)."""
    try:
        with tarfile.open(archive) as tar:
            return [m.name for m in tar.getmembers() if m.isfile() and (dest / m.name).exists()]
    except (tarfile.TarError, OSError, EOFError, zlib.error):  # truncated, not gzip, …
        return []


async def download_artifacts(
    backend: Backend, job_name: str, dest: Path, extract: bool, force: bool = True
) -> Path:
    """Download the job's model.tar.gz into `dest` (and extract it there when asked);
    returns where the archive was saved. Without `force`, nothing that exists is
    overwritten: raises `UsageError` instead."""
    _check_dest(dest)
    job = await backend.jobs.describe_job(job_name)
    if not job.model_artifacts:
        raise NotFound(f"{job_name} has no model artifacts (status {job.status})")
    if (dest / ARCHIVE).exists() and not force:
        raise UsageError(f"{dest / ARCHIVE} exists; pass --force to overwrite it, or --dest DIR")
    partial = dest / f".{ARCHIVE}.smtui-download"
    try:
        try:
            await backend.storage.download(job.model_artifacts, partial)
        except NotFound:
            raise NotFound(
                f"{job_name}'s model artifacts {job.model_artifacts} do not exist"
            ) from None
        if extract and not force:
            clash = await asyncio.to_thread(_existing, partial, dest)
            if clash:
                raise UsageError(
                    f"extracting would overwrite {len(clash)} file(s) in {dest} "
                    f"(first: {clash[0]}); pass --force to overwrite, or --dest DIR"
                )
        names = await asyncio.to_thread(extract_safely, partial, dest) if extract else []
        roots = {name.lstrip("/").removeprefix("./") for name in names}
        target = dest / (INNER_CLASH if ARCHIVE in roots else ARCHIVE)
        partial.replace(target)
        return target
    finally:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)  # interrupted, refused or failed: nothing half-made
