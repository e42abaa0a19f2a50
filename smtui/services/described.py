"""Descriptions of settled training jobs, kept on disk: `smtui cost` describes a job that
has ended once, and reads it from here on every later run.

A job is settled when it has ended and its warm pool can no longer bill (none kept, or
Terminated or Reused): only then is its description final. A job whose pool is still
Available or InUse is described again each time, as is every running job. Its tags are
kept beside it once read (`--by tag:KEY`).

Files are named by the job's ARN (account, region and name), so two accounts or regions
never share an entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

from smtui.core.jobs import JobSummary, TrainingJob, parse_time
from smtui.services.cachefile import cache_root, keep_json

FORMAT = 1
SETTLED_POOLS = frozenset({"", "Terminated", "Reused"})
FINAL_AFTER = dt.timedelta(hours=1)
"""How long after its end a job with no billable time is taken to have none."""


def cache_folder() -> Path:
    return cache_root() / "described"


def settled(job: TrainingJob, now: dt.datetime | None = None) -> bool:
    """Whether `job`'s description can no longer change what it costs: it has ended, its
    warm pool bills no more, and SageMaker has said its billable time (or, for a job that
    never trained, has said none for an hour since it ended)."""
    pool = str((job.raw.get("WarmPoolStatus") or {}).get("Status", ""))
    if not job.is_terminal or pool not in SETTLED_POOLS:
        return False
    if job.billable_seconds is not None:
        return True
    ended = job.ended or parse_time(job.raw.get("LastModifiedTime"))
    return ended is not None and (now or dt.datetime.now(dt.UTC)) - ended > FINAL_AFTER


class DescribedCache:
    """Settled jobs' descriptions (DescribeTrainingJob's response) and tags, on disk."""

    def __init__(self, where: str, folder: Path | None = None) -> None:
        self.where = where
        """The backend's `where` (profile, region, endpoint): names a job without an ARN."""
        self.folder = folder or cache_folder()

    def _path(self, summary: JobSummary) -> Path:
        identity = str(summary.raw.get("TrainingJobArn") or f"{self.where}/{summary.name}")
        digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
        return self.folder / f"{digest}-v{FORMAT}.json"

    def get(self, summary: JobSummary) -> tuple[TrainingJob, dict[str, str] | None] | None:
        """The kept description of the listed job and its tags (None: not read yet), or
        None when nothing is kept for it."""
        try:
            kept = json.loads(self._path(summary).read_text())
            job = TrainingJob.from_api(kept["description"])
            tags = kept.get("tags")
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if job.name != summary.name:
            return None
        return job, (None if tags is None else {str(k): str(v) for k, v in tags.items()})

    def put(self, summary: JobSummary, job: TrainingJob, tags: dict[str, str] | None) -> None:
        """Keep `job` if it is settled (else nothing is written)."""
        if not settled(job):
            return
        description = {k: v for k, v in job.raw.items() if k != "ResponseMetadata"}
        keep_json(self._path(summary), {"description": description, "tags": tags})
