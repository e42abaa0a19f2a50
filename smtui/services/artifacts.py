"""Model artifacts: fetch `model.tar.gz` and extract it without writing outside the folder."""

from __future__ import annotations

import asyncio
import tarfile
from pathlib import Path

from smtui.core.errors import UsageError
from smtui.services.backend import Backend
from smtui.services.errors import NotFound, ServiceFailed


def extract_safely(archive: Path, dest: Path) -> list[str]:
    """Extract `archive` into `dest` with tarfile's `data` filter: members with absolute
    paths, `..`, links leaving `dest` or device files are refused. Returns member names."""
    try:
        with tarfile.open(archive) as tar:
            names = tar.getnames()
            tar.extractall(dest, filter="data")
    except tarfile.FilterError as exc:
        raise ServiceFailed(f"refused to extract {archive.name}: {exc}") from None
    except tarfile.TarError as exc:
        raise ServiceFailed(f"{archive} is not a readable tar.gz: {exc}") from None
    return names


def _existing(archive: Path, dest: Path) -> list[str]:
    """The archive's files that already exist under `dest`."""
    with tarfile.open(archive) as tar:
        return [m.name for m in tar.getmembers() if m.isfile() and (dest / m.name).exists()]


async def download_artifacts(
    backend: Backend, job_name: str, dest: Path, extract: bool, force: bool = True
) -> Path:
    """Download the job's model.tar.gz into `dest` (and extract it there when asked).
    Without `force`, nothing that exists is overwritten: raises `UsageError` instead."""
    job = await backend.jobs.describe_job(job_name)
    if not job.model_artifacts:
        raise NotFound(f"{job_name} has no model artifacts (status {job.status})")
    target = dest / "model.tar.gz"
    if target.exists() and not force:
        raise UsageError(f"{target} exists; pass --force to overwrite it, or --dest DIR")
    dest.mkdir(parents=True, exist_ok=True)
    try:
        await backend.storage.download(job.model_artifacts, target)
    except NotFound:
        raise NotFound(f"{job_name}'s model artifacts {job.model_artifacts} do not exist") from None
    if extract:
        clash = [] if force else await asyncio.to_thread(_existing, target, dest)
        if clash:
            raise UsageError(
                f"extracting would overwrite {len(clash)} file(s) in {dest} (first: {clash[0]}); "
                "pass --force to overwrite, or --dest DIR"
            )
        await asyncio.to_thread(extract_safely, target, dest)
    return target
