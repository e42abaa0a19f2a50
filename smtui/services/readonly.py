"""Read-only mode: a backend that refuses every call that would change the account.

For shared production accounts (`--readonly`, or `"readonly": true` in the settings). The
commands and the TUI refuse the actions first, with their own words; this guard is under
them all, so a path that forgets to ask (a new key, a palette entry, a bulk action) still
sends nothing. Reading (lists, descriptions, logs, downloads to this machine) goes through.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, cast

from smtui.services.backend import Backend, JobsService, StorageService
from smtui.services.errors import ServiceError

MUTATIONS: dict[str, frozenset[str]] = {
    "jobs": frozenset({"create_job", "stop_job", "enable_remote_debug", "keep_warm_pool"}),
    "storage": frozenset({"ensure_bucket", "put_bytes", "upload_files", "delete_objects"}),
}
"""Every method of the backend protocol that changes something, by service."""


class ReadOnlyRefused(ServiceError):
    """An action that changes the account, asked for in read-only mode: nothing was sent."""

    exit_code = 2


def refusal(what: str) -> str:
    """The one sentence every refusal says (the CLI's, the TUI's, the guard's)."""
    return f'read-only mode: {what} is turned off (--readonly, or "readonly" in settings.json)'


class _Guard:
    """A service whose mutating methods raise `ReadOnlyRefused`; the rest are the service's."""

    def __init__(self, service: object, refused: frozenset[str]) -> None:
        self._service = service
        self._refused = refused

    def __getattr__(self, name: str) -> Any:
        if name in self._refused:

            async def refuse(*args: object, **kwargs: object) -> None:
                raise ReadOnlyRefused(refusal(name.replace("_", " ")))

            return refuse
        return getattr(self._service, name)


def read_only(backend: Backend) -> Backend:
    """`backend`, with every mutating call refused and `readonly` set."""
    if backend.readonly:
        return backend
    return replace(
        backend,
        jobs=cast(JobsService, _Guard(backend.jobs, MUTATIONS["jobs"])),
        storage=cast(StorageService, _Guard(backend.storage, MUTATIONS["storage"])),
        readonly=True,
    )
