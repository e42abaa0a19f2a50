"""The one place backends are built: shared by the CLI, the TUI, tests and benches."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from smtui.core.environment import max_attempts
from smtui.core.errors import UsageError
from smtui.services.backend import Backend


@dataclass(frozen=True)
class BackendSettings:
    """What the command line, environment and config say about where to connect."""

    name: str = "aws"
    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    readonly: bool = False
    """Read-only mode: the backend refuses every call that would change the account."""


def _retry_overrides() -> dict[str, Any]:
    """`AWS_MAX_ATTEMPTS` / `AWS_RETRY_MODE`, which botocore would ignore once smtui sets
    its own retry config, so they are honoured here."""
    found: dict[str, Any] = {}
    attempts = os.environ.get("AWS_MAX_ATTEMPTS", "").strip()
    if attempts:
        try:
            found["max_attempts"] = max_attempts(attempts)
        except ValueError as exc:
            raise UsageError(f"AWS_MAX_ATTEMPTS: {exc}") from None
    mode = os.environ.get("AWS_RETRY_MODE", "").strip()
    if mode:
        if mode not in ("standard", "adaptive", "legacy"):
            raise UsageError(f"AWS_RETRY_MODE: '{mode}' is not standard, adaptive or legacy")
        found["retry_mode"] = mode
    return found


def make_backend(settings: BackendSettings) -> Backend:
    """Build the backend `settings.name` names (read-only when they say so); imports only
    what it needs."""
    backend = _build(settings)
    if settings.readonly:
        from smtui.services.readonly import read_only

        return read_only(backend)
    return backend


def _build(settings: BackendSettings) -> Backend:
    if settings.name == "aws":
        from smtui.core.secrets import redact_url
        from smtui.services.aws.clients import AwsClients, AwsSettings
        from smtui.services.aws.jobs import AwsJobs
        from smtui.services.aws.logs import AwsLogSource
        from smtui.services.aws.storage import AwsStorage

        clients = AwsClients(
            AwsSettings(
                settings.profile, settings.region, settings.endpoint_url, **_retry_overrides()
            )
        )
        where = " · ".join(
            part
            for part in (
                settings.profile or "default",
                settings.region or "",
                redact_url(settings.endpoint_url or ""),
            )
            if part
        )
        return Backend("aws", AwsJobs(clients), AwsLogSource(clients), AwsStorage(clients), where)
    if settings.name == "local":
        from smtui.services.home import smtui_home
        from smtui.services.local import local_backend

        return local_backend(smtui_home())
    raise UsageError(f"unknown backend '{settings.name}': use aws or local")
