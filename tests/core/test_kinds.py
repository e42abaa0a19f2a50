"""The kinds of job, checked against botocore's model of the SageMaker API (the oracle):
every name smtui builds for a kind is one the API has; and the kinds' models."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import pytest

from smtui.core.jobs import JobSummary, TrainingJob, Trial, best_first
from smtui.core.jobview import sections
from smtui.core.kinds import KINDS, PROCESSING, TUNING, Kind, kind_of


@functools.cache
def model() -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model("sagemaker")


def operation(kind: Kind, verb: str) -> Any:
    from botocore import xform_name

    names = {xform_name(name): name for name in model().operation_names}
    return model().operation_model(names[kind.operation(verb)])


@pytest.mark.parametrize("kind", KINDS.values(), ids=list(KINDS))
def test_each_kinds_calls_and_keys_are_the_apis(kind: Kind) -> None:
    listing = operation(kind, "list")
    assert {"MaxResults", "NextToken", "SortBy", "SortOrder", "NameContains",
            "StatusEquals"} <= set(listing.input_shape.members)  # fmt: skip
    assert "CreationTime" in listing.input_shape.members["SortBy"].enum
    assert listing.input_shape.members["MaxResults"].metadata["max"] == 100
    summary = listing.output_shape.members[kind.summaries_key].member
    for key in (kind.name_key, kind.status_key, kind.arn_key, kind.end_key, "CreationTime"):
        assert key in summary.members, key
    described = operation(kind, "describe")
    assert list(described.input_shape.required_members) == [kind.name_key]
    out = described.output_shape.members
    for key in (kind.name_key, kind.status_key, kind.arn_key, kind.end_key):
        assert key in out, key
    if kind.start_key:
        assert kind.start_key in out
    assert list(operation(kind, "stop").input_shape.required_members) == [kind.name_key]
    # Every status the kind can have is one the status sort and filter know (or Deleting).
    statuses = set(model().shape_for(kind.status_key).enum)
    assert {"InProgress", "Completed", "Failed", "Stopping", "Stopped"} <= statuses


def test_a_trial_summary_is_the_apis_shape() -> None:
    shape = model().shape_for("HyperParameterTrainingJobSummary").members
    for key in ("TrainingJobName", "TrainingJobStatus", "CreationTime", "TrainingStartTime",
                "TrainingEndTime", "TunedHyperParameters", "ObjectiveStatus",
                "FinalHyperParameterTuningJobObjectiveMetric"):  # fmt: skip
        assert key in shape
    assert "TuningJobArn" in operation(KINDS["training"], "describe").output_shape.members


def test_an_unknown_kind_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="training, tuning, processing"):
        kind_of("batch")


T0 = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


def trial(name: str, value: float | None, minutes: int = 0) -> Trial:
    item: dict[str, Any] = {"TrainingJobName": name, "TrainingJobStatus": "Completed",
                            "CreationTime": T0 + dt.timedelta(minutes=minutes)}  # fmt: skip
    if value is not None:
        item["FinalHyperParameterTuningJobObjectiveMetric"] = {"MetricName": "loss", "Value": value}
    return Trial.from_api(item)


def test_best_first_follows_the_objectives_direction() -> None:
    trials = [trial("a", 0.5), trial("b", None, 1), trial("c", 0.9), trial("d", 0.1),
              trial("e", None, 2)]  # fmt: skip
    assert [t.name for t in best_first(trials, "Maximize")] == ["c", "a", "d", "e", "b"]
    assert [t.name for t in best_first(trials, "Minimize")] == ["d", "a", "c", "e", "b"]


PROCESSING_JOB = {
    "ProcessingJobName": "prep-1",
    "ProcessingJobArn": "arn:aws:sagemaker:eu-west-1:123456789012:processing-job/prep-1",
    "ProcessingJobStatus": "Completed",
    "CreationTime": T0,
    "ProcessingStartTime": T0 + dt.timedelta(minutes=2),
    "ProcessingEndTime": T0 + dt.timedelta(minutes=32),
    "ProcessingResources": {"ClusterConfig": {"InstanceCount": 2, "InstanceType": "ml.m5.xlarge",
                                              "VolumeSizeInGB": 30}},
    "AppSpecification": {"ImageUri": "proc:1", "ContainerEntrypoint": ["python3", "prep.py"]},
    "ProcessingInputs": [{"InputName": "raw", "S3Input": {
        "S3Uri": "s3://b/raw/", "LocalPath": "/opt/ml/processing/input", "S3DataType": "S3Prefix",
        "S3InputMode": "File"}}],
    "ProcessingOutputConfig": {"Outputs": [{"OutputName": "train", "S3Output": {
        "S3Uri": "s3://b/train/", "LocalPath": "/opt/ml/processing/train",
        "S3UploadMode": "EndOfJob"}}]},
    "RoleArn": "arn:aws:iam::123456789012:role/R",
}  # fmt: skip


def test_a_processing_job_reads_into_the_model_and_shows_its_paths_and_uris() -> None:
    job = TrainingJob.from_api(PROCESSING_JOB, PROCESSING)
    assert (job.kind, job.instance_type, job.instance_count) == (PROCESSING, "ml.m5.xlarge", 2)
    assert job.image == "proc:1" and job.elapsed() == dt.timedelta(minutes=30)
    assert job.cost() is not None  # 30 min × 2 × the catalogue's m5.xlarge price
    shown = {label: value for s in sections(job, streams=["prep-1/algo-1-1764493200"])
             for label, value in s.rows}  # fmt: skip
    assert shown["raw"] == "/opt/ml/processing/input ← s3://b/raw/  (S3Prefix, File)"
    assert shown["train"] == "/opt/ml/processing/train → s3://b/train/  (EndOfJob)"
    assert shown["entry point"] == "python3 prep.py"
    assert shown["console"].endswith("#/processing-jobs/prep-1")
    assert "log-group/$252Faws$252Fsagemaker$252FProcessingJobs/" in shown["logs algo-1-1764493200"]
    summary = JobSummary.from_api({k: PROCESSING_JOB[k] for k in (
        "ProcessingJobName", "ProcessingJobStatus", "CreationTime", "ProcessingEndTime")},
        PROCESSING)  # fmt: skip
    assert (summary.name, summary.ended, summary.kind) == ("prep-1", job.ended, PROCESSING)


TUNER_ARN = "arn:aws:sagemaker:us-east-1:1:hyper-parameter-tuning-job"


def test_a_tuning_job_lists_its_training_jobs_best_first_each_linked() -> None:
    raw = {
        "HyperParameterTuningJobName": "tune-1",
        "HyperParameterTuningJobArn": f"{TUNER_ARN}/tune-1",
        "HyperParameterTuningJobStatus": "InProgress",
        "CreationTime": T0,
        "HyperParameterTuningJobConfig": {
            "Strategy": "Bayesian",
            "HyperParameterTuningJobObjective": {"Type": "Minimize", "MetricName": "loss"},
            "ResourceLimits": {"MaxNumberOfTrainingJobs": 20, "MaxParallelTrainingJobs": 4},
            "ParameterRanges": {
                "ContinuousParameterRanges": [{"Name": "lr", "MinValue": "0.001",
                                               "MaxValue": "0.1", "ScalingType": "Logarithmic"}],
                "IntegerParameterRanges": [{"Name": "batch", "MinValue": "16",
                                            "MaxValue": "256"}],
                "CategoricalParameterRanges": [{"Name": "opt", "Values": ["adam", "sgd"]}],
            },
        },
        "TrainingJobDefinition": {"ResourceConfig": {"InstanceType": "ml.g5.xlarge",
                                                     "InstanceCount": 1}},
        "TrainingJobStatusCounters": {"Completed": 3, "InProgress": 1},
    }  # fmt: skip
    job = TrainingJob.from_api(raw, TUNING)
    assert job.secondary_status == "3/20 done, 1 running"
    assert job.cost() is None  # its training jobs bill
    trials = [trial("t-1", 0.5), trial("t-2", 0.2), trial("t-3", None)]
    found = sections(job, trials=trials)
    listed = next(s for s in found if s.title == "Training jobs, best loss first")
    assert [label for label, _ in listed.rows] == ["t-2", "t-1", "t-3"]
    assert listed.rows[0][1].startswith("loss = 0.2  Completed")
    assert listed.links == {0: (KINDS["training"], "t-2"), 1: (KINDS["training"], "t-1"),
                            2: (KINDS["training"], "t-3")}  # fmt: skip
    shown = {label: value for s in found for label, value in s.rows}
    assert shown["objective"] == "Minimize loss"
    assert shown["limits"] == "at most 20 training jobs, 4 at once"
    assert shown["lr"] == "continuous 0.001–0.1 (Logarithmic)"
    assert (shown["batch"], shown["opt"]) == ("integer 16–256", "one of adam, sgd")
    assert found[0].title.startswith("Training jobs")  # it opens on them
    assert shown["console"].endswith("#/hyper-tuning-jobs/tune-1")


def test_a_training_job_of_a_tuning_job_links_to_it() -> None:
    raw = {"TrainingJobName": "tune-1-001-abc", "TrainingJobStatus": "Completed",
           "CreationTime": T0, "TuningJobArn":
           "arn:aws:sagemaker:us-east-1:1:hyper-parameter-tuning-job/tune-1"}  # fmt: skip
    job = TrainingJob.from_api(raw)
    assert job.tuning_job == "tune-1"
    first = sections(job)[0]
    index = [label for label, _ in first.rows].index("tuning job (enter)")
    assert first.links[index] == (TUNING, "tune-1")
