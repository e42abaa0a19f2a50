"""The one place backends are built: shared by the CLI, the TUI, tests and benches."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from smtui.core.environment import max_attempts
from smtui.core.errors import UsageError
from smtui.services.backend import Backend, BackendSettings

__all__ = ["BackendSettings", "make_backend", "moved"]


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
    backend = replace(_build(settings), settings=settings)
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
        from smtui.core.kinds import PROCESSING
        from smtui.services.aws.metrics import AwsMetrics
        from smtui.services.pricing import AwsPricing

        processing = AwsLogSource(clients, kind=PROCESSING)
        return Backend("aws", AwsJobs(clients), AwsLogSource(clients), AwsStorage(clients), where,
                       metrics=AwsMetrics(clients), pricing=AwsPricing(clients),
                       kind_logs={PROCESSING.key: processing})  # fmt: skip
    if settings.name == "local":
        from smtui.services.home import smtui_home
        from smtui.services.local import local_backend

        return local_backend(smtui_home())
    raise UsageError(f"unknown backend '{settings.name}': use aws or local")


def moved(
    settings: BackendSettings,
    profile: str | None,
    region: str | None,
    environ: Mapping[str, str],
) -> BackendSettings:
    """`settings` for another profile (its region too, when its config names one) or
    region, checked first: a profile the AWS files do not hold, or a region where
    botocore knows no SageMaker, is refused (`UsageError`) and nothing moves. A custom
    endpoint (moto) takes any region name."""
    from smtui.core.awsprofile import profile_files, profile_names, profile_region
    from smtui.core.place import is_region_name

    if profile is not None:
        names = profile_names(environ)
        if profile not in names:
            known = f": one of {', '.join(names)}" if names else " (it has none)"
            raise UsageError(f"no AWS profile '{profile}' in {profile_files(environ)}{known}")
        own = profile_region(profile, environ)
        settings = replace(settings, profile=profile, region=own.region if own else settings.region)
    if region is not None:
        if not is_region_name(region):
            raise UsageError(f"'{region}' is not an AWS region name (like us-east-1)")
        if settings.endpoint_url is None:
            from smtui.services.aws.regions import sagemaker_regions

            known_regions = sagemaker_regions()
            if region not in known_regions:
                import difflib

                import botocore

                close = difflib.get_close_matches(region, known_regions, n=1)
                guess = f" (did you mean {close[0]}?)" if close else ""
                raise UsageError(f"botocore {botocore.__version__} knows no SageMaker in "
                                 f"'{region}'{guess}")  # fmt: skip
        settings = replace(settings, region=region)
    return settings
