"""A shell into a host of a running job: `smtui shell JOB [--host algo-2]` and `!` in the TUI.

On aws it is an SSM session into the training container, which SageMaker allows while the
job is Downloading or Training and its RemoteDebugConfig is on: `prepare_shell` checks
the tools first (the AWS CLI and the session-manager plugin, or how to get them and the IAM
they need), then the job's state, then offers to turn remote debug on (UpdateTrainingJob),
and returns the `aws ssm start-session` command line. On the local backend it is a shell
in the host's tree (its code folder), with the environment the host's script got.

`ShellCommand.run` runs it: the CLI on its terminal, the TUI once it has suspended.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from smtui.core.errors import UsageError
from smtui.core.jobs import TrainingJob
from smtui.core.jobview import arn_place
from smtui.core.logevents import check_host
from smtui.services.backend import Backend

SHELL_STATES = ("Downloading", "Training")
"""The secondary statuses in which SageMaker starts a remote-debug session."""

INSTALL_HELP = (
    "install the AWS CLI v2 and the Session Manager plugin "
    "(https://docs.aws.amazon.com/systems-manager/latest/userguide/"
    "session-manager-working-with-install-plugin.html); the session needs "
    "ssm:StartSession on the job's ARN for you, and ssmmessages:CreateControlChannel, "
    "CreateDataChannel, OpenControlChannel and OpenDataChannel (ssmmessages:*) for the "
    "job's execution role"
)

Confirm = Callable[[str], Awaitable[bool]]
"""Asks the user a yes/no question (the CLI's prompt, the TUI's dialog)."""


class ShellRefused(UsageError):
    """No shell now, and why (exit 2): nothing was changed."""


@dataclass(frozen=True)
class ShellCommand:
    argv: list[str]
    env: dict[str, str] | None = None
    """The whole environment (None: this process's)."""
    cwd: Path | None = None
    notes: list[str] = field(default_factory=list)
    """What to tell the user before it starts."""

    def run(self) -> int:
        """Run it on this terminal, to its end: its exit code."""
        import subprocess

        try:
            return subprocess.call(self.argv, env=self.env, cwd=self.cwd)
        except OSError as exc:
            raise UsageError(f"cannot run {self.argv[0]}: {exc}") from None


def session_target(job: str, host: str) -> str:
    """SSM's name for a training job's host: `sagemaker-training-job:<job>_<host>`."""
    return f"sagemaker-training-job:{job}_{host}"


async def prepare_shell(
    backend: Backend, job: TrainingJob, host: str, confirm: Confirm
) -> ShellCommand:
    """The command that opens a shell on `job`'s `host`, once what it needs is in place
    (remote debug turned on, when the user says so). Raises `ShellRefused`."""
    check_host(job.name, job.instance_count, host)
    if backend.name == "local":
        host_shell = getattr(backend.jobs, "host_shell", None)
        if host_shell is None:
            raise ShellRefused("this backend cannot open a shell")
        command: ShellCommand = await host_shell(job.name, host)
        return command
    return await _ssm_shell(backend, job, host, confirm)


async def _ssm_shell(
    backend: Backend, job: TrainingJob, host: str, confirm: Confirm
) -> ShellCommand:
    aws = shutil.which("aws")
    plugin = shutil.which("session-manager-plugin")
    if aws is None or plugin is None:
        missing = " and ".join(
            name for name, found in (("aws", aws), ("session-manager-plugin", plugin))
            if found is None
        )  # fmt: skip
        raise ShellRefused(f"a shell into a SageMaker host needs {missing} on PATH: "
                           f"{INSTALL_HELP}")  # fmt: skip
    if job.status != "InProgress" or job.secondary_status not in SHELL_STATES:
        now = job.status + (f" ({job.secondary_status})" if job.secondary_status else "")
        raise ShellRefused(f"{job.name} is {now}: SageMaker opens a shell only while a job "
                           "is Downloading or Training")  # fmt: skip
    notes: list[str] = []
    if not job.raw.get("RemoteDebugConfig", {}).get("EnableRemoteDebug"):
        if backend.readonly:
            from smtui.services.readonly import refusal

            raise ShellRefused(f"remote debug is off for {job.name}, and "
                               + refusal("turning it on (UpdateTrainingJob)"))  # fmt: skip
        question = (f"Remote debug is off for {job.name}. Turn it on with UpdateTrainingJob "
                    "(RemoteDebugConfig.EnableRemoteDebug) to open a shell?")  # fmt: skip
        if not await confirm(question):
            raise ShellRefused(f"remote debug left off for {job.name}: no shell")
        await backend.jobs.enable_remote_debug(job.name)
        notes.append(f"remote debug is on for {job.name}; the first session may take a "
                     "minute or two to connect")  # fmt: skip
    argv = [aws, "ssm", "start-session", "--target", session_target(job.name, host)]
    place = arn_place(job.arn)
    region = place[1] if place else (backend.settings and backend.settings.region)
    if region:
        argv += ["--region", region]
    if backend.settings is not None and backend.settings.profile:
        argv += ["--profile", backend.settings.profile]
    return ShellCommand(argv, notes=notes)


def login_shell() -> str:
    """The user's shell, as a terminal would start it."""
    return os.environ.get("SHELL") or "/bin/sh"
