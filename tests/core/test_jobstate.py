"""Spot interruptions and capacity waits read from a job's status history, as
DescribeTrainingJob gives it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from smtui.core.jobs import TrainingJob
from smtui.core.jobstate import capacity_wait, interruptions, same_accelerator
from smtui.core.jobview import sections

T0 = dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.UTC)


def job(steps: list[tuple[str, int, str]], status: str = "InProgress") -> TrainingJob:
    """A job whose status history is `steps`: (status, minutes after T0, message)."""
    transitions: list[dict[str, Any]] = []
    for index, (name, minute, message) in enumerate(steps):
        step: dict[str, Any] = {"Status": name, "StartTime": T0 + dt.timedelta(minutes=minute),
                                "StatusMessage": message}  # fmt: skip
        if index + 1 < len(steps):
            step["EndTime"] = T0 + dt.timedelta(minutes=steps[index + 1][1])
        transitions.append(step)
    return TrainingJob.from_api({
        "TrainingJobName": "j", "TrainingJobStatus": status, "CreationTime": T0,
        "ResourceConfig": {"InstanceType": "ml.g5.12xlarge", "InstanceCount": 1},
        "EnableManagedSpotTraining": True, "SecondaryStatusTransitions": transitions,
    })  # fmt: skip


def test_interruptions_and_the_time_they_lost() -> None:
    spot = job([("Starting", 0, ""), ("Training", 5, ""), ("Interrupted", 30, "spot"),
                ("Starting", 31, ""), ("Downloading", 38, ""), ("Training", 42, ""),
                ("Interrupted", 60, "spot")])  # fmt: skip
    now = T0 + dt.timedelta(minutes=70)
    found = interruptions(spot, now)
    assert [(i.start - T0, i.lost) for i in found] == [
        (dt.timedelta(minutes=30), dt.timedelta(minutes=12)),
        (dt.timedelta(minutes=60), dt.timedelta(minutes=10)),  # not training again yet
    ]
    rows = dict(sections(spot, now=now)[1].rows)
    assert rows["interruptions"] == "2, losing 22m00s in all"


def test_a_capacity_wait_lasts_from_the_first_retry_in_a_row() -> None:
    retry = "Insufficient capacity error from EC2 while launching instances, retrying!"
    unhealthy = "Launched instance was unhealthy, replacing it!"
    prepare = "Preparing the instances for training"
    waiting = job([("Starting", 0, prepare), ("Starting", 3, retry), ("Starting", 9, unhealthy),
                   ("Starting", 15, retry)])  # fmt: skip
    wait = capacity_wait(waiting)
    assert wait is not None and wait.since == T0 + dt.timedelta(minutes=3)
    assert wait.lasted(T0 + dt.timedelta(minutes=20)) == dt.timedelta(minutes=17)
    rows = dict(sections(waiting, now=T0 + dt.timedelta(minutes=20))[1].rows)
    assert rows["waiting for capacity"] == f"17m00s: {retry}"
    assert "ml.g5.xlarge" in rows["same accelerator"] and "ml.g5.12xlarge" not in rows[
        "same accelerator"]  # fmt: skip
    running = job([("Starting", 0, retry), ("Training", 5, "Training image download completed")])
    assert capacity_wait(running) is None
    assert capacity_wait(job([("Starting", 0, retry)], status="Stopped")) is None


def test_same_accelerator_is_from_the_catalogue() -> None:
    assert same_accelerator("ml.m5.xlarge") == []  # no accelerator
    assert set(same_accelerator("ml.p4d.24xlarge")) <= {"ml.p4de.24xlarge"}


def test_describe_says_them_too() -> None:
    from smtui.cli.jobs import describe_lines

    retry = "Insufficient capacity error from EC2 while launching instances, retrying!"
    lines = describe_lines(job([("Starting", 0, retry)]))
    assert any(line.startswith("waiting for capacity for ") and retry in line for line in lines)
    assert any(line.startswith("same accelerator: ml.g5.") for line in lines)
    spot = job([("Training", 0, ""), ("Interrupted", 5, ""), ("Training", 9, "")])
    assert "spot interruptions: 1, losing 4m00s in all" in describe_lines(spot)
