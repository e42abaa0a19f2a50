"""What several commands share: finding the config and layering global options over it."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from smtui.core.errors import ConfigError, UsageError
from smtui.core.origin import Origin
from smtui.core.overrides import DEFAULT_CONFIG, Overrides
from smtui.core.safetext import clean
from smtui.core.spec import JobSpec

if TYPE_CHECKING:
    from smtui.core.kinds import Kind
    from smtui.services.backend import Backend, LogSource

T = TypeVar("T")


def config_path(args: argparse.Namespace) -> Path:
    """The config file named by `--config`, else ./jobber.yml."""
    given = getattr(args, "config", None)
    return Path(given) if given else DEFAULT_CONFIG


def global_overrides(args: argparse.Namespace) -> Overrides:
    """Overrides from the global options (`--backend`, `--profile`, `--region`, ...)."""
    overrides = Overrides()
    for attr, flag in (
        ("backend", "--backend"),
        ("profile", "--profile"),
        ("region", "--region"),
        ("endpoint_url", "--endpoint-url"),
    ):
        overrides.set(attr, getattr(args, attr, None), flag)
    return overrides


def load_spec(args: argparse.Namespace, overrides: Overrides) -> JobSpec:
    """Resolve the config with the environment and `overrides` (the profile's region is
    one layer of that resolution, for the TUI as for the CLI)."""
    from smtui.core.config import resolve_config  # here: its checks are 50 ms of imports

    return resolve_config(config_path(args), overrides, os.environ)


def warn(lines: list[str]) -> None:
    """Print warnings to stderr, one per line."""
    for line in lines:
        print(f"warning: {clean(line)}", file=sys.stderr)


def lenient_spec(args: argparse.Namespace, overrides: Overrides | None = None) -> JobSpec:
    """The config as far as it resolves, for commands that only need where to connect
    (with the global options, or `overrides` when given).

    A broken ./jobber.yml must not stop `smtui jobs`; a file named with --config must."""
    overrides = overrides or global_overrides(args)
    path = config_path(args)
    explicit = getattr(args, "config", None) is not None
    if path.exists():
        from smtui.core.config import resolve_with_problems

        try:
            spec, _problems = resolve_with_problems(path, overrides, os.environ)
            return spec
        except ConfigError:
            if explicit:
                raise
            warn([f"{path} has errors and is ignored (`smtui submit --dry-run` shows them)"])
    elif explicit:
        raise ConfigError(f"{path}: config file not found")
    spec = JobSpec(config_path=path)
    if os.environ.get("SMTUI_BACKEND") in ("aws", "local"):
        spec.backend = os.environ["SMTUI_BACKEND"]
    for attr, (value, flag) in overrides.values.items():
        setattr(spec, attr, value)
        spec.origins[attr] = Origin.flag(flag)
    return spec


def make_backend_for(spec: JobSpec, args: argparse.Namespace) -> Backend:
    """The backend the resolved settings name, read-only when `args.readonly` says so
    (`main` sets it from `--readonly` and the settings)."""
    from smtui.services.factory import BackendSettings, make_backend

    return make_backend(
        BackendSettings(
            spec.backend,
            spec.profile,
            spec.region,
            spec.endpoint_url,
            readonly=bool(getattr(args, "readonly", False)),
        )
    )


def run_async(work: Coroutine[Any, Any, T]) -> T:
    """Run a command's coroutine to completion."""
    import asyncio

    return asyncio.run(work)


LATEST = "@latest"
"""Stands for the newest job of the current config, wherever a command takes a JOB."""


def log_source(backend: Backend, kind: Kind) -> LogSource:
    """Where `kind`'s jobs log; a kind that logs nothing here is a usage error saying why."""
    source = backend.logs_of(kind)
    if source is not None:
        return source
    reason = backend.jobs.why_not(kind)
    raise UsageError(reason or (
        f"a {kind.noun} writes no log of its own: `smtui describe NAME --kind {kind.key}` "
        "lists its training jobs, and `smtui logs` reads theirs"
    ))  # fmt: skip


def resolve_job(args: argparse.Namespace, backend: Backend) -> str:
    """`args.job`, or for `@latest` the newest job named from the current config's base
    (`job-name`, else the prefix) with the timestamp suffix a submit adds."""
    if args.job != LATEST:
        return str(args.job)
    kind = getattr(args, "kind", "training")
    if kind != "training":
        raise UsageError(f"{LATEST} is the newest training job of the current config; "
                         f"name the {kind} job")  # fmt: skip
    path = config_path(args)
    if not path.exists():
        raise UsageError(f"{LATEST}: the newest job of the current config, but {path} does "
                         "not exist (name the job, or pass --config)")  # fmt: skip
    from smtui.core.config import resolve_with_problems
    from smtui.core.request import job_name_base

    spec, _problems = resolve_with_problems(path, global_overrides(args), os.environ)
    base = job_name_base(spec)
    return run_async(_newest(backend, base, path))


async def _newest(backend: Backend, base: str, path: Path) -> str:
    import re

    named = re.compile(rf"{re.escape(base)}-\d{{8}}-\d{{6}}-\d{{3}}")
    token: str | None = None
    while True:
        page = await backend.jobs.list_jobs(None, base, 100, token)
        for job in page.jobs:  # newest first
            if named.fullmatch(job.name):
                return job.name
        token = page.next_token
        if token is None:
            raise UsageError(f"{LATEST}: no job named {base}-<time> (from {path}) on "
                             f"{backend.where or backend.name}")  # fmt: skip


def notify_setup(args: argparse.Namespace) -> list[str] | None:
    """`--notify`'s command from the settings (None: none, or no `--notify`); read first, so
    a bad one is said before anything is sent."""
    if not getattr(args, "notify", False):
        return None
    from smtui.services.settings import notify_command

    return notify_command()


def send_notice(job: str, status: str, reason: str, command: list[str] | None) -> None:
    """`--notify`: the bell and a desktop notification (OSC 9 and 777) on this terminal,
    when stderr is one, and the settings' notify-command."""
    from smtui.core.notify import Notice, sequences

    notice = Notice(job, status, reason)
    if sys.stderr.isatty():
        sys.stderr.write(sequences(notice, os.environ))
        sys.stderr.flush()
    if command:
        from smtui.services.notify import run_command

        problem = run_command(command, notice)
        if problem:
            print(clean(f"smtui: {problem}"), file=sys.stderr)


def say_end(
    backend: Backend,
    job: str,
    status: str,
    *,
    kind: Kind | None = None,
    reason: bool = True,
    notify: bool = False,
    command: list[str] | None = None,
) -> None:
    """How a followed job ended, on stderr, as `logs --follow` and `submit --wait` end:
    `JOB: Failed`, then (`reason`) its failure reason; with `notify`, the notice too
    (`send_notice`, with the settings' `command`)."""
    from smtui.core.kinds import TRAINING

    print(clean(f"{job}: {status}"), file=sys.stderr)
    failure = ""
    if status != "Completed":
        failure = run_async(backend.jobs.describe_job(job, kind or TRAINING)).failure_reason or ""
        if failure and reason:
            print(clean(f"failure reason: {failure}", multiline=True), file=sys.stderr)
    if notify:
        send_notice(job, status, failure, command)
