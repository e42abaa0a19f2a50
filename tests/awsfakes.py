"""Helpers over moto: jobs in a chosen status, StopTrainingJob, log streams, failure injection.

moto marks training jobs Completed at once and has no StopTrainingJob; these helpers set the
status on moto's own backend objects (as DESIGN.md §8 allows) and add the missing call.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3

ACCOUNT = "123456789012"
REGION = "us-east-1"
GROUP = "/aws/sagemaker/TrainingJobs"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/SageMakerRole"


def sagemaker_backend(region: str = REGION) -> Any:
    from moto.sagemaker.models import sagemaker_backends

    return sagemaker_backends[ACCOUNT][region]


def create_job(
    name: str, hosts: int = 1, status: str = "InProgress", *, via: Any = None, **extra: Any
) -> None:
    """A training job in moto with the given status (`via`: a SageMaker client to reuse,
    for hundreds of jobs: building one is most of a call's time)."""
    client = via or boto3.client("sagemaker", region_name=REGION)
    client.create_training_job(
        TrainingJobName=name,
        RoleArn=ROLE,
        AlgorithmSpecification={"TrainingImage": "img:latest", "TrainingInputMode": "File"},
        OutputDataConfig={"S3OutputPath": "s3://bucket/p/outputs/"},
        ResourceConfig={
            "InstanceType": "ml.g5.xlarge",
            "InstanceCount": hosts,
            "VolumeSizeInGB": 30,
        },
        StoppingCondition={"MaxRuntimeInSeconds": 3600},
        **extra,
    )
    set_status(name, status, region=client.meta.region_name)


def set_status(
    name: str, status: str, secondary: str | None = None, *, region: str = REGION
) -> None:
    job = sagemaker_backend(region).training_jobs[name]
    job.training_job_status = status
    if secondary is not None:
        job.secondary_status = secondary


def add_stop_training_job(monkeypatch: Any) -> list[str]:
    """Give moto a StopTrainingJob that moves the job to Stopping; returns the names stopped."""
    from moto.sagemaker.responses import SageMakerResponse

    stopped: list[str] = []

    def stop_training_job(self: Any) -> str:
        name = json.loads(self.body)["TrainingJobName"]
        jobs = sagemaker_backend().training_jobs
        if name not in jobs:
            from moto.sagemaker.exceptions import ValidationError

            raise ValidationError(message=f"Could not find training job '{name}'.")
        if jobs[name].training_job_status in ("Completed", "Failed", "Stopped"):
            from moto.sagemaker.exceptions import ValidationError

            status = jobs[name].training_job_status
            raise ValidationError(
                message=f"The request was rejected because the training job is in status {status}."
            )
        jobs[name].training_job_status = "Stopping"
        stopped.append(name)
        return "{}"

    monkeypatch.setattr(SageMakerResponse, "stop_training_job", stop_training_job, raising=False)
    return stopped


def put_events(stream: str, events: list[tuple[int, str]]) -> None:
    """Write (timestamp ms, message) events, creating the group and stream as needed."""
    logs = boto3.client("logs", region_name=REGION)
    try:
        logs.create_log_group(logGroupName=GROUP)
    except logs.exceptions.ResourceAlreadyExistsException:
        pass
    try:
        logs.create_log_stream(logGroupName=GROUP, logStreamName=stream)
    except logs.exceptions.ResourceAlreadyExistsException:
        pass
    for start in range(0, len(events), 5000):
        chunk = events[start : start + 5000]
        sent = logs.put_log_events(
            logGroupName=GROUP,
            logStreamName=stream,
            logEvents=[{"timestamp": ts, "message": msg} for ts, msg in chunk],
        )
        # CloudWatch, and moto after it, refuses events over 14 days old. Tests pinned to a
        # fixed date (snapshots, exact times) would start failing two weeks after it: those
        # events go into moto's log group directly, below the age check (the one bypass).
        too_old = sent.get("rejectedLogEventsInfo", {}).get("tooOldLogEventEndIndex")
        if too_old is not None:
            from moto.logs.models import logs_backends

            group = logs_backends[ACCOUNT][REGION].groups[GROUP]
            aged = chunk[: too_old + 1]
            group.put_log_events(stream, [{"timestamp": ts, "message": msg} for ts, msg in aged])


class Throttler:
    """A botocore `before-send` hook answering every `every`-th matching call with a
    ThrottlingException, as CloudWatch does when the account's quota is spent."""

    def __init__(self, every: int = 3, operations: tuple[str, ...] = ()) -> None:
        self.every = every
        self.operations = operations
        self.calls = 0
        self.throttled = 0

    def __call__(self, request: Any, **kwargs: Any) -> Any:
        from botocore.awsrequest import AWSResponse

        target = request.headers.get("X-Amz-Target", b"")
        target = target.decode() if isinstance(target, bytes) else str(target)
        if self.operations and not any(target.endswith(op) for op in self.operations):
            return None
        self.calls += 1
        if self.calls % self.every:
            return None
        self.throttled += 1
        body = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()
        return AWSResponse(
            request.url, 400, {"Content-Type": "application/x-amz-json-1.1"}, _Raw(body)
        )


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **kwargs: Any) -> Any:
        yield self.body


class MotoEndpoint:
    """moto's server on 127.0.0.1 that can go away and come back on the same port.

    moto's state lives in this process, so nothing is lost while the server is down."""

    def __init__(self) -> None:
        self._server: Any = None
        self.port = 0
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        from moto.server import ThreadedMotoServer

        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()
        self.port = self._server.get_host_and_port()[1]

    def stop(self) -> None:
        """Refuse connections from now on: shut the server down and close its socket."""
        self._server.stop()
        self._server._server.server_close()


def put_events_offline(stream: str, events: list[tuple[int, str]]) -> None:
    """Write events straight into moto's logs backend (for when its server is down)."""
    from moto.logs.models import logs_backends

    logs_backends[ACCOUNT][REGION].put_log_events(
        GROUP, stream, [{"timestamp": ts, "message": msg} for ts, msg in events]
    )


def sort_like_sagemaker() -> Callable[[], None]:
    """Give moto the SortBy it lacks: ListTrainingJobs newest first, as SageMaker sorts.
    The one patch; returns its undo."""
    from moto.sagemaker.models import SageMakerModelBackend

    unsorted = SageMakerModelBackend.list_training_jobs

    def newest_first(self: Any, *args: Any, **kwargs: Any) -> Any:
        jobs = self.training_jobs
        self.training_jobs = dict(
            sorted(jobs.items(), key=lambda item: str(item[1].creation_time), reverse=True)
        )
        try:
            return unsorted(self, *args, **kwargs)
        finally:
            self.training_jobs = jobs

    SageMakerModelBackend.list_training_jobs = newest_first  # type: ignore[method-assign]

    def undo() -> None:
        SageMakerModelBackend.list_training_jobs = unsorted  # type: ignore[method-assign]

    return undo


READING = ("Describe", "List", "Get", "Head", "Filter", "Search")
"""How AWS names the operations that change nothing."""


def record_calls(monkeypatch: Any) -> list[str]:
    """Every AWS operation sent from this process, `service:Operation`, as botocore's
    loaded service model names it, in the order sent."""
    from botocore.client import BaseClient

    sent: list[str] = []
    send = BaseClient._make_api_call

    def recorded(self: Any, operation_name: str, api_params: Any) -> Any:
        model = self.meta.service_model
        model.operation_model(operation_name)  # raises for an operation the model lacks
        sent.append(f"{model.service_name}:{operation_name}")
        return send(self, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recorded)
    return sent


def mutations(sent: list[str]) -> list[str]:
    """The operations in `sent` that are not reads by AWS's naming."""
    return [call for call in sent if not call.split(":")[1].startswith(READING)]


def add_update_training_job(monkeypatch: Any) -> list[dict[str, Any]]:
    """Give moto an UpdateTrainingJob (it has none) that keeps RemoteDebugConfig on the job,
    as SageMaker does while the job is Downloading or Training; returns each request."""
    from moto.sagemaker.responses import SageMakerResponse

    requests: list[dict[str, Any]] = []

    def update_training_job(self: Any) -> str:
        request = json.loads(self.body)
        job = sagemaker_backend().training_jobs[request["TrainingJobName"]]
        if "RemoteDebugConfig" in request:
            job.remote_debug_config = request["RemoteDebugConfig"]
        requests.append(request)
        return json.dumps({"TrainingJobArn": job.arn})

    monkeypatch.setattr(SageMakerResponse, "update_training_job", update_training_job,
                        raising=False)  # fmt: skip
    return requests
