"""Settled jobs' descriptions kept on disk: which are final, and that they read back whole."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from smtui.core.jobs import JobSummary, TrainingJob
from smtui.services.described import DescribedCache, settled

NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)


def described(status: str, **extra: Any) -> TrainingJob:
    return TrainingJob.from_api({
        "TrainingJobName": "run-1", "TrainingJobStatus": status,
        "TrainingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:training-job/run-1",
        "CreationTime": NOW - dt.timedelta(hours=3),
        "TrainingStartTime": NOW - dt.timedelta(hours=3),
        "TrainingEndTime": NOW - dt.timedelta(hours=2),
        "ResourceConfig": {"InstanceType": "ml.g5.xlarge", "InstanceCount": 2},
        "SecondaryStatusTransitions": [{"Status": "Training", "StartTime": NOW}],
        **extra,
    })  # fmt: skip


@pytest.mark.parametrize(
    ("status", "extra", "final"),
    [
        ("Completed", {"BillableTimeInSeconds": 3600}, True),
        ("InProgress", {"BillableTimeInSeconds": 3600}, False),
        ("Completed", {"BillableTimeInSeconds": 3600, "WarmPoolStatus": {"Status": "Available"}},
         False),
        ("Completed", {"BillableTimeInSeconds": 3600, "WarmPoolStatus": {"Status": "InUse"}},
         False),
        ("Completed", {"BillableTimeInSeconds": 9, "WarmPoolStatus": {"Status": "Terminated"}},
         True),
        ("Failed", {}, True),  # no billable time, two hours after its end: it has none
        ("Failed", {"TrainingEndTime": NOW - dt.timedelta(minutes=5)}, False),  # not yet said
    ],
)  # fmt: skip
def test_which_descriptions_are_final(status: str, extra: dict[str, Any], final: bool) -> None:
    assert settled(described(status, **extra), NOW) is final


def test_a_kept_description_reads_back_whole_and_only_for_its_job(tmp_path: Path) -> None:
    job = described("Completed", BillableTimeInSeconds=3600)
    summary = JobSummary.from_api(job.raw)
    folder = tmp_path / "described"
    cache = DescribedCache("default · us-east-1", folder)
    assert cache.get(summary) is None
    cache.put(summary, job, {"team": "nlp"})
    kept = cache.get(summary)
    assert kept is not None
    assert kept[0] == job and kept[0].started == job.started and kept[1] == {"team": "nlp"}
    other = JobSummary.from_api({**job.raw, "TrainingJobArn": job.raw["TrainingJobArn"]
                                 .replace("123456789012", "210987654321")})  # fmt: skip
    assert cache.get(other) is None  # another account's job of the same name
    running = described("InProgress")
    cache.put(JobSummary.from_api(running.raw | {"TrainingJobName": "run-2"}), running, None)
    assert list(folder.iterdir()) == [cache._path(summary)]  # a running job is not kept
