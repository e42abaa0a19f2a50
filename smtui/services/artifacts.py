"""Model artifacts: fetch `model.tar.gz` and extract it without writing outside the folder."""

from __future__ import annotations

import asyncio
import tarfile
from pathlib import Path

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


async def download_artifacts(backend: Backend, job_name: str, dest: Path, extract: bool) -> Path:
    """Download the job's model.tar.gz into `dest` (and extract it there when asked)."""
    job = await backend.jobs.describe_job(job_name)
    if not job.model_artifacts:
        raise NotFound(f"{job_name} has no model artifacts (status {job.status})")
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / "model.tar.gz"
    try:
        await backend.storage.download(job.model_artifacts, target)
    except NotFound:
        raise NotFound(f"{job_name}'s model artifacts {job.model_artifacts} do not exist") from None
    if extract:
        await asyncio.to_thread(extract_safely, target, dest)
    return target
