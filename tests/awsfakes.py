"""Helpers over moto: jobs in a chosen status, StopTrainingJob, log streams, failure injection.

moto marks training jobs Completed at once and has no StopTrainingJob; these helpers set the
status on moto's own backend objects (as DESIGN.md §8 allows) and add the missing call.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
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
    name: str,
    hosts: int = 1,
    status: str = "InProgress",
    *,
    via: Any = None,
    instance_type: str = "ml.g5.xlarge",
    **extra: Any,
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
            "InstanceType": instance_type,
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


def put_events(stream: str, events: list[tuple[int, str]], group: str = GROUP) -> None:
    """Write (timestamp ms, message) events, creating the group and stream as needed."""
    logs = boto3.client("logs", region_name=REGION)
    try:
        logs.create_log_group(logGroupName=group)
    except logs.exceptions.ResourceAlreadyExistsException:
        pass
    try:
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
    except logs.exceptions.ResourceAlreadyExistsException:
        pass
    for start in range(0, len(events), 5000):
        chunk = events[start : start + 5000]
        sent = logs.put_log_events(
            logGroupName=group,
            logStreamName=stream,
            logEvents=[{"timestamp": ts, "message": msg} for ts, msg in chunk],
        )
        # CloudWatch, and moto after it, refuses events over 14 days old. Tests pinned to a
        # fixed date (snapshots, exact times) would start failing two weeks after it: those
        # events go into moto's log group directly, below the age check (the one bypass).
        too_old = sent.get("rejectedLogEventsInfo", {}).get("tooOldLogEventEndIndex")
        if too_old is not None:
            from moto.logs.models import logs_backends

            kept = logs_backends[ACCOUNT][REGION].groups[group]
            aged = chunk[: too_old + 1]
            kept.put_log_events(stream, [{"timestamp": ts, "message": msg} for ts, msg in aged])


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
    as SageMaker does while the job is Downloading or Training, and a warm pool's
    KeepAlivePeriodInSeconds (0 terminates the pool); returns each request."""
    from moto.sagemaker.responses import SageMakerResponse

    requests: list[dict[str, Any]] = []

    def update_training_job(self: Any) -> str:
        request = json.loads(self.body)
        job = sagemaker_backend().training_jobs[request["TrainingJobName"]]
        if "RemoteDebugConfig" in request:
            job.remote_debug_config = request["RemoteDebugConfig"]
        keep = request.get("ResourceConfig", {}).get("KeepAlivePeriodInSeconds")
        if keep is not None:  # a warm pool kept longer, or (0) released at once
            job.resource_config = {**job.resource_config, "KeepAlivePeriodInSeconds": keep}
            if keep == 0:
                job.warm_pool_status = {**getattr(job, "warm_pool_status", {}),
                                        "Status": "Terminated"}  # fmt: skip
        requests.append(request)
        return json.dumps({"TrainingJobArn": job.arn})

    monkeypatch.setattr(SageMakerResponse, "update_training_job", update_training_job,
                        raising=False)  # fmt: skip
    return requests


PROCESSING_GROUP = "/aws/sagemaker/ProcessingJobs"


def create_processing_job(
    name: str, status: str = "InProgress", hosts: int = 1, *, via: Any = None
) -> None:
    """A processing job in moto, with one S3 input and one output, in `status`. moto keeps
    neither ProcessingResources nor a start time: they are set on its object (its describe
    returns every attribute)."""
    import datetime as dt

    client = via or boto3.client("sagemaker", region_name=REGION)
    resources = {
        "ClusterConfig": {
            "InstanceCount": hosts,
            "InstanceType": "ml.m5.xlarge",
            "VolumeSizeInGB": 30,
        }
    }
    client.create_processing_job(
        ProcessingJobName=name,
        RoleArn=ROLE,
        AppSpecification={
            "ImageUri": "proc:latest",
            "ContainerEntrypoint": ["python3", "/opt/ml/processing/code/prep.py"],
        },
        ProcessingResources=resources,
        ProcessingInputs=[
            {
                "InputName": "raw",
                "S3Input": {
                    "S3Uri": f"s3://bucket/{name}/raw/",
                    "LocalPath": "/opt/ml/processing/input",
                    "S3DataType": "S3Prefix",
                    "S3InputMode": "File",
                },
            }
        ],
        ProcessingOutputConfig={
            "Outputs": [
                {
                    "OutputName": "train",
                    "S3Output": {
                        "S3Uri": f"s3://bucket/{name}/train/",
                        "LocalPath": "/opt/ml/processing/output/train",
                        "S3UploadMode": "EndOfJob",
                    },
                }
            ]
        },
        StoppingCondition={"MaxRuntimeInSeconds": 3600},
    )
    job = sagemaker_backend(client.meta.region_name).processing_jobs[name]
    job.processing_resources = resources
    job.processing_job_status = status
    job.processing_start_time = job.creation_time
    if status in ("InProgress", "Stopping"):
        job.processing_end_time = None
    else:
        job.processing_end_time = job.creation_time + dt.timedelta(minutes=12)


def create_tuning_job(
    name: str,
    trials: Sequence[tuple[str, float | None, str]],
    status: str = "InProgress",
    *,
    objective: tuple[str, str] = ("Maximize", "validation:accuracy"),
    via: Any = None,
) -> None:
    """A tuning job in moto and its training jobs: `trials` are (name, objective value or
    None, status). moto keeps no link between them; the job's `trials` attribute holds
    what ListTrainingJobsForHyperParameterTuningJob returns (`add_tuning_calls`), and each
    training job gets the TuningJobArn SageMaker gives it."""
    client = via or boto3.client("sagemaker", region_name=REGION)
    region = client.meta.region_name
    goal, metric = objective
    client.create_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=name,
        HyperParameterTuningJobConfig={
            "Strategy": "Bayesian",
            "HyperParameterTuningJobObjective": {"Type": goal, "MetricName": metric},
            "ResourceLimits": {
                "MaxNumberOfTrainingJobs": len(trials) + 2,
                "MaxParallelTrainingJobs": 2,
            },
            "ParameterRanges": {
                "ContinuousParameterRanges": [
                    {
                        "Name": "lr",
                        "MinValue": "0.0001",
                        "MaxValue": "0.1",
                        "ScalingType": "Logarithmic",
                    }
                ]
            },
        },
        TrainingJobDefinition={
            "AlgorithmSpecification": {"TrainingImage": "img:latest", "TrainingInputMode": "File"},
            "RoleArn": ROLE,
            "OutputDataConfig": {"S3OutputPath": "s3://bucket/tuning/"},
            "ResourceConfig": {
                "InstanceType": "ml.g5.xlarge",
                "InstanceCount": 1,
                "VolumeSizeInGB": 30,
            },
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
            "StaticHyperParameters": {"epochs": "3"},
        },
    )
    tuner = sagemaker_backend(region).hyper_parameter_tuning_jobs[name]
    tuner.hyper_parameter_tuning_job_status = status
    if status in ("InProgress", "Stopping"):
        tuner.hyper_parameter_tuning_end_time = None
    summaries = []
    for index, (trial, value, trial_status) in enumerate(trials):
        create_job(trial, status=trial_status, via=client)
        fake = sagemaker_backend(region).training_jobs[trial]
        fake.tuning_job_arn = tuner.arn
        summary: dict[str, Any] = {
            "TrainingJobName": trial,
            "TrainingJobArn": fake.arn,
            "TuningJobName": name,
            "CreationTime": fake.creation_time,
            "TrainingStartTime": fake.creation_time,
            "TunedHyperParameters": {"lr": f"0.{index + 1:03d}"},
        }
        if value is not None:
            summary["FinalHyperParameterTuningJobObjectiveMetric"] = {
                "Type": goal,
                "MetricName": metric,
                "Value": value,
            }
            summary["ObjectiveStatus"] = "Succeeded"
        else:
            summary["ObjectiveStatus"] = "Pending"
        summaries.append(summary)
    tuner.trials = summaries
    counts: dict[str, int] = {}
    for _, _, trial_status in trials:
        counts[trial_status] = counts.get(trial_status, 0) + 1
    tuner.training_job_status_counters = {
        "Completed": counts.get("Completed", 0),
        "InProgress": counts.get("InProgress", 0),
        "RetryableError": 0,
        "NonRetryableError": counts.get("Failed", 0),
        "Stopped": counts.get("Stopped", 0),
    }
    scored = [s for s in summaries if "FinalHyperParameterTuningJobObjectiveMetric" in s]
    if scored:
        sign = -1 if goal == "Minimize" else 1
        best = max(
            scored, key=lambda s: sign * s["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]
        )
        tuner.best_training_job = best | {"TrainingJobStatus": "Completed"}
    else:
        tuner.best_training_job = None


def add_tuning_calls(monkeypatch: Any) -> list[str]:
    """Give moto the two tuning calls it lacks: ListTrainingJobsForHyperParameterTuningJob
    (from `create_tuning_job`'s summaries, each with its training job's status now, paged
    by MaxResults) and StopHyperParameterTuningJob (the tuner and its running training jobs
    to Stopping). Returns the tuning jobs stopped."""
    from moto.sagemaker.exceptions import ValidationError
    from moto.sagemaker.responses import SageMakerResponse

    stopped: list[str] = []

    def tuner_of(self: Any, name: str) -> Any:
        tuners = self.sagemaker_backend.hyper_parameter_tuning_jobs
        if name not in tuners:
            raise ValidationError(message=f"Could not find hyper parameter tuning job '{name}'.")
        return tuners[name]

    def list_training_jobs_for_hyper_parameter_tuning_job(self: Any) -> str:
        request = json.loads(self.body)
        tuner = tuner_of(self, request["HyperParameterTuningJobName"])
        jobs = self.sagemaker_backend.training_jobs
        rows = [
            summary | {"TrainingJobStatus": jobs[summary["TrainingJobName"]].training_job_status}
            for summary in getattr(tuner, "trials", [])
        ]
        start = int(request.get("NextToken") or 0)
        end = start + int(request.get("MaxResults") or 100)
        page: dict[str, Any] = {"TrainingJobSummaries": rows[start:end]}
        if end < len(rows):
            page["NextToken"] = str(end)
        return json.dumps(page, default=lambda t: t.timestamp())

    def stop_hyper_parameter_tuning_job(self: Any) -> str:
        name = json.loads(self.body)["HyperParameterTuningJobName"]
        tuner = tuner_of(self, name)
        if tuner.hyper_parameter_tuning_job_status != "InProgress":
            raise ValidationError(
                message=f"The request was rejected because the tuning job "
                f"is in status {tuner.hyper_parameter_tuning_job_status}."
            )
        tuner.hyper_parameter_tuning_job_status = "Stopping"
        for summary in getattr(tuner, "trials", []):
            job = self.sagemaker_backend.training_jobs[summary["TrainingJobName"]]
            if job.training_job_status == "InProgress":
                job.training_job_status = "Stopping"
        stopped.append(name)
        return "{}"

    for call in (
        list_training_jobs_for_hyper_parameter_tuning_job,
        stop_hyper_parameter_tuning_job,
    ):
        monkeypatch.setattr(SageMakerResponse, call.__name__, call, raising=False)
    return stopped


def put_host_metrics(job: str, host: str, metric: str, values: list[float]) -> None:
    """`values` of one host's metric, one a minute up to now, as SageMaker publishes them
    (namespace /aws/sagemaker/TrainingJobs, dimension Host = job/host)."""
    import datetime as dt

    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    data = [
        {
            "MetricName": metric,
            "Dimensions": [{"Name": "Host", "Value": f"{job}/{host}"}],
            "Timestamp": now - dt.timedelta(minutes=len(values) - 1 - index),
            "Value": value,
            "Unit": "Percent",
        }
        for index, value in enumerate(values)
    ]
    for start in range(0, len(data), 1000):
        cloudwatch.put_metric_data(Namespace="/aws/sagemaker/TrainingJobs",
                                   MetricData=data[start : start + 1000])  # fmt: skip
