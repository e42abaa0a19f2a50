"""The local backend: SageMaker's training contract on this machine, no Docker, no AWS.

Everything lives under one home folder: `buckets/<bucket>/<key>` is the local "S3", and
`jobs/<job>/` holds each job's request, state, per-host `/opt/ml` trees and log streams.
"""

from __future__ import annotations

from pathlib import Path

from smtui.services.backend import Backend
from smtui.services.local.jobs import LocalJobs
from smtui.services.local.logs import LocalLogSource
from smtui.services.local.storage import LocalStorage
from smtui.services.local.store import JobStore
from smtui.services.sync import HashCache


def local_backend(home: Path) -> Backend:
    """The local backend over `home` (`$SMTUI_HOME` in normal use)."""
    store = JobStore(home)
    storage = LocalStorage(home / "buckets", HashCache(home / "cache" / "local-etags.json"))
    from smtui.services.local.sampler import LocalMetrics

    return Backend("local", LocalJobs(store), LocalLogSource(store), storage, f"local · {home}",
                   metrics=LocalMetrics(store))  # fmt: skip
