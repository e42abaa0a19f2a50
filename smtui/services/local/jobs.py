"""Local training jobs: list, describe, create (start a supervisor), stop."""

from __future__ import annotations

import asyncio
import functools
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from smtui.core.jobs import TERMINAL, JobSummary, TrainingJob, Trial
from smtui.core.kinds import PROCESSING, TRAINING, TUNING, Kind
from smtui.services.backend import JobPage
from smtui.services.errors import Invalid, InvalidInput, NotFound, ServiceFailed
from smtui.services.local.contract import count_gpus
from smtui.services.local.distributed import submit_problem
from smtui.services.local.store import (
    JOB_NAME,
    REQUEST,
    SHELL_FILE,
    JobStore,
    alive,
    enter_secondary,
    finish,
    now_iso,
    unreadable,
    write_json,
)
from smtui.services.shell import ShellCommand, login_shell

ACCOUNT = "000000000000"
REGION = "local"


def summary_of(state: dict[str, Any]) -> dict[str, Any]:
    """A ListTrainingJobs summary from a described job."""
    keys = ("TrainingJobName", "TrainingJobArn", "CreationTime", "TrainingEndTime",
            "LastModifiedTime", "TrainingJobStatus", "SecondaryStatus")  # fmt: skip
    return {k: state[k] for k in keys if k in state}


def runnable(request: dict[str, Any]) -> str | None:
    """Why the local backend cannot run this request, or None when it can."""
    hyper = request.get("HyperParameters", {})
    algorithm = request.get("AlgorithmSpecification", {})
    if "sagemaker_program" in hyper and "sagemaker_submit_directory" in hyper:
        return None
    if algorithm.get("ContainerEntrypoint"):
        return None
    return (
        "the local backend runs script-mode jobs (sagemaker_program and "
        "sagemaker_submit_directory) or a ContainerEntrypoint; this request has neither, so "
        "only its image's own entry point could run it, and that needs Docker"
    )


@functools.cache
def channel_name_rule() -> tuple[re.Pattern[str], int, int]:
    """SageMaker's ChannelName rule (pattern, min and max length), from botocore's model of
    the API, loaded once on first use (the model takes a moment to load)."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("sagemaker")
    meta = model.shape_for("ChannelName").metadata
    return re.compile(meta["pattern"]), int(meta.get("min", 1)), int(meta.get("max", 64))


def input_problem(request: dict[str, Any]) -> str | None:
    """Why this request's channels or S3 locations cannot be used locally, or None."""
    pattern, shortest, longest = channel_name_rule()
    uris: list[tuple[str, str]] = []
    for channel in request.get("InputDataConfig", []):
        name = str(channel.get("ChannelName", ""))
        if not (shortest <= len(name) <= longest and pattern.fullmatch(name)):
            return (
                f"channel name '{name}' does not match SageMaker's ChannelName pattern "
                f"{pattern.pattern} ({shortest}-{longest} characters)"
            )
        if name in (".", ".."):
            # SageMaker's pattern allows them; here input/data/.. is the job's own input/.
            return f"channel name '{name}' would name a folder outside input/data/ locally"
        uri = channel.get("DataSource", {}).get("S3DataSource", {}).get("S3Uri", "")
        uris.append((f"channel '{name}'", str(uri)))
    if uri := request.get("CheckpointConfig", {}).get("S3Uri"):
        uris.append(("checkpoints", str(uri)))
    if uri := request.get("OutputDataConfig", {}).get("S3OutputPath"):
        uris.append(("output", str(uri)))
    for what, uri in uris:
        if uri.startswith("s3://") and any(
            part in (".", "..") for part in uri[5:].partition("/")[2].split("/")
        ):
            return f"{what}: '{uri}' has a '.' or '..' segment, which would leave its bucket"
    return None


NOT_HERE = {
    TUNING.key: "tuning jobs don't run on the local backend: SageMaker's tuner launches "
    "their training jobs (each can be run here as a training job)",
    PROCESSING.key: "processing jobs don't run on the local backend: they run their image's "
    "own entry point, and that needs Docker",
}
"""The kinds the local backend cannot run, and why, in one line each."""


class LocalJobs:
    """`JobsService` over the jobs folder; each job runs under its own supervisor process.
    It runs training jobs only (`NOT_HERE` says why not the other kinds)."""

    def __init__(self, store: JobStore) -> None:
        self.store = store

    def why_not(self, kind: Kind) -> str | None:
        return NOT_HERE.get(kind.key)

    def _only_training(self, kind: Kind) -> None:
        if kind is not TRAINING:
            raise Invalid(NOT_HERE[kind.key])

    async def trials(self, tuning_job: str) -> list[Trial]:
        raise Invalid(NOT_HERE[TUNING.key])

    async def list_jobs(
        self,
        status: str | None = None,
        name_contains: str | None = None,
        limit: int = 50,
        next_token: str | None = None,
        kind: Kind = TRAINING,
    ) -> JobPage:
        if kind is not TRAINING:
            return JobPage([])  # none of them here: `why_not` says so

        def scan() -> list[JobSummary]:
            rows = []
            for name in self.store.names():
                if name_contains and name_contains.lower() not in name.lower():
                    continue
                try:
                    state = self.store.read(name)
                except (NotFound, ServiceFailed):
                    continue  # removed, being written for the first time, or unreadable
                if status and state["TrainingJobStatus"] != status:
                    continue
                rows.append(JobSummary.from_api(summary_of(state)))
            return sorted(rows, key=lambda job: (job.created, job.name), reverse=True)

        rows = await asyncio.to_thread(scan)
        start = int(next_token) if next_token and next_token.isdigit() else 0
        end = start + limit
        return JobPage(rows[start:end], str(end) if end < len(rows) else None)

    async def describe_job(self, name: str, kind: Kind = TRAINING) -> TrainingJob:
        self._only_training(kind)
        return TrainingJob.from_api(await asyncio.to_thread(self.store.read, name))

    async def keep_warm_pool(self, name: str, seconds: int) -> None:
        raise Invalid("the local backend keeps no warm pools: each job starts its hosts anew, "
                      "in seconds")  # fmt: skip

    async def enable_remote_debug(self, name: str) -> None:
        raise Invalid("the local backend's hosts run on this machine: `smtui shell` opens "
                      "one without remote debug")  # fmt: skip

    async def host_shell(self, name: str, host: str) -> ShellCommand:
        """A shell in `host`'s tree (its code folder) with the environment its script got,
        as the supervisor wrote it down when the host started."""
        state = await asyncio.to_thread(self.store.read, name)
        path = self.store.folder(name) / host / SHELL_FILE
        try:
            saved = await asyncio.to_thread(lambda: json.loads(path.read_text()))
        except FileNotFoundError:
            raise Invalid(
                f"{name}'s {host} has not started yet (it is "
                f"{state.get('SecondaryStatus', state['TrainingJobStatus'])})"
            ) from None
        except (OSError, ValueError) as exc:
            raise ServiceFailed(f"local backend: cannot read {path} ({exc})") from exc
        notes = [f"a shell in {name}'s {host} ({saved['cwd']}), with its environment; "
                 "exit to come back"]  # fmt: skip
        if state["TrainingJobStatus"] in TERMINAL:
            notes.append(f"{name} has ended ({state['TrainingJobStatus']}): this is its tree, "
                         "no process of it runs")  # fmt: skip
        env = dict(saved["env"])
        shell = env.get("SHELL") or login_shell()
        return ShellCommand([shell], env=env, cwd=Path(saved["cwd"]), notes=notes)

    async def tags(self, job: TrainingJob) -> dict[str, str]:
        request = await asyncio.to_thread(self.store.request, job.name)
        return {tag["Key"]: tag.get("Value", "") for tag in request.get("Tags", [])}

    async def check_request(self, request: dict[str, Any]) -> None:
        """Whether this machine can run the request: its name, its launch, its channels, its
        distribution (mpirun on PATH for mpi) and its GPUs."""
        name = str(request.get("TrainingJobName", ""))
        if not JOB_NAME.match(name):
            raise Invalid(
                f"'{name}' is not a valid training job name: 1-63 letters, digits and hyphens, "
                "starting and ending with a letter or digit"
            )
        if (reason := runnable(request)) is not None:
            raise Invalid(reason)
        if (problem := input_problem(request)) is not None:
            raise InvalidInput(problem)
        machine_gpus = await asyncio.to_thread(count_gpus)
        if problem := await asyncio.to_thread(submit_problem, request, machine_gpus):
            raise InvalidInput(problem)
        count = int(request.get("ResourceConfig", {}).get("InstanceCount", 1))
        if count < 1:
            raise Invalid(f"InstanceCount must be at least 1, not {count}")

    async def create_job(self, request: dict[str, Any]) -> str:
        await self.check_request(request)
        name = str(request["TrainingJobName"])
        try:
            return await asyncio.to_thread(self._create, name, request)
        except OSError as exc:
            raise unreadable(f"create the local job {name}", exc) from exc

    def _create(self, name: str, request: dict[str, Any]) -> str:
        folder = self.store.folder(name)
        try:
            folder.mkdir(parents=True)
        except FileExistsError:
            raise Invalid(
                f"a training job named {name} already exists: job names are unique (local backend)"
            ) from None
        arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:training-job/{name.lower()}"
        state: dict[str, Any] = {
            key: request[key]
            for key in (
                "AlgorithmSpecification",
                "RoleArn",
                "HyperParameters",
                "InputDataConfig",
                "OutputDataConfig",
                "ResourceConfig",
                "StoppingCondition",
                "CheckpointConfig",
                "Environment",
                "EnableManagedSpotTraining",
            )  # fmt: skip
            if key in request
        }
        state |= {
            "TrainingJobName": name,
            "TrainingJobArn": arn,
            "TrainingJobStatus": "InProgress",
            "CreationTime": now_iso(),
        }
        enter_secondary(state, "Starting", "Preparing the instances for training")
        write_json(folder / REQUEST, request)
        write_json(folder / "state.json", state)
        self._start_supervisor(name)
        return arn

    def _start_supervisor(self, name: str) -> None:
        """Start the job's supervisor detached from this process: it forks, notes the
        child's pid in supervisor.json and exits, so the job outlives the CLI or TUI."""
        folder = self.store.folder(name)
        with open(folder / "supervisor.log", "ab") as log:
            launcher = subprocess.Popen(
                [sys.executable, "-m", "smtui.services.local.supervisor", str(folder)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
                env=os.environ | {"SMTUI_HOME": str(self.store.home)},
            )
        if launcher.wait() != 0 or self.store.supervisor(name) is None:
            self.store.update(
                name,
                lambda state: finish(
                    state, "Failed", "Failed", "The local supervisor did not start",
                    f"InternalServerError: the local supervisor did not start; see "
                    f"{folder / 'supervisor.log'}",
                ),
            )  # fmt: skip

    async def stop_job(self, name: str, kind: Kind = TRAINING) -> None:
        self._only_training(kind)

        def stop() -> None:
            before: dict[str, Any] = {}

            def mark(state: dict[str, Any]) -> None:
                before.update(state)
                if state["TrainingJobStatus"] == "InProgress":
                    state["TrainingJobStatus"] = "Stopping"
                    enter_secondary(state, "Stopping", "Stopping the training job")

            self.store.read(name)  # NotFound, and the orphan check, first
            self.store.update(name, mark)
            if before["TrainingJobStatus"] in TERMINAL:
                raise Invalid(
                    f"The request was rejected because the training job {name} is in status "
                    f"{before['TrainingJobStatus']}"
                )
            info = self.store.supervisor(name)
            if info and alive(int(info["pid"]), info.get("start")):
                os.kill(int(info["pid"]), signal.SIGTERM)
            else:
                self.store.read(name)  # no supervisor: the orphan check ends the job now

        await asyncio.to_thread(stop)
