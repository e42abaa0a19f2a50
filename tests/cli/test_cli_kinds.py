"""`--kind tuning|processing` on jobs, describe, logs and stop, against moto (in-process,
with the tuning calls moto lacks added) and the local backend."""

from __future__ import annotations

import json
import time

import pytest

from smtui.cli import main
from tests.awsfakes import (
    PROCESSING_GROUP,
    add_tuning_calls,
    create_processing_job,
    create_tuning_job,
    put_events,
)


def test_processing_jobs_listed_described_logged_and_stopped(
    moto_aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    create_processing_job("prep-1", status="Completed")
    create_processing_job("prep-2", hosts=2)
    now = int(time.time() * 1000)
    put_events("prep-2/algo-1-1", [(now, "reading raw"), (now + 2, "writing train")],
               PROCESSING_GROUP)  # fmt: skip
    put_events("prep-2/algo-2-1", [(now + 1, "reading raw too")], PROCESSING_GROUP)
    assert main(["jobs", "--kind", "processing"]) == 0
    listed = capsys.readouterr().out
    assert "prep-2" in listed and "InProgress" in listed and "prep-1" in listed
    assert main(["jobs", "--kind", "processing", "--json", "--status", "Completed"]) == 0
    assert [j["ProcessingJobName"] for j in json.loads(capsys.readouterr().out)] == ["prep-1"]
    assert main(["describe", "prep-2", "--kind", "processing"]) == 0
    out = capsys.readouterr().out
    assert "/opt/ml/processing/input ← s3://bucket/prep-2/raw/" in out
    assert "/opt/ml/processing/output/train → s3://bucket/prep-2/train/" in out
    assert main(["logs", "prep-2", "--kind", "processing"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "[algo-1] reading raw", "[algo-2] reading raw too", "[algo-1] writing train",
    ]  # fmt: skip
    assert main(["stop", "prep-2", "--kind", "processing", "--yes"]) == 0
    assert capsys.readouterr().out.strip() == "prep-2: Stopped"
    # The training job commands do not find it: each kind is its own.
    assert main(["describe", "prep-2"]) == 1
    assert "Could not find" in capsys.readouterr().err


def test_a_tuning_job_described_with_its_training_jobs_best_first_and_stopped(
    moto_aws: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stopped = add_tuning_calls(monkeypatch)
    create_tuning_job("tune-c", [("tune-c-001", 0.31, "Completed"), ("tune-c-002", 0.12,
                      "Completed"), ("tune-c-003", None, "InProgress")],
                      objective=("Minimize", "loss"))  # fmt: skip
    assert main(["jobs", "--kind", "tuning"]) == 0
    assert "tune-c" in capsys.readouterr().out
    assert main(["describe", "tune-c", "--kind", "tuning"]) == 0
    out = capsys.readouterr().out
    order = [line.split()[0] for line in out.splitlines() if line.strip().startswith("tune-c-")]
    assert order == ["tune-c-002", "tune-c-001", "tune-c-003"]  # the lowest loss first
    assert "loss = 0.12  Completed  lr=0.002" in out
    assert main(["logs", "tune-c", "--kind", "tuning"]) == 2
    assert "writes no log of its own" in capsys.readouterr().err
    assert main(["logs", "@latest", "--kind", "processing"]) == 2
    assert "newest training job" in capsys.readouterr().err
    assert main(["stop", "tune-c", "--kind", "tuning", "--yes"]) == 0
    assert stopped == ["tune-c"]
    assert capsys.readouterr().out.strip() == "tune-c: Stopping"


def test_the_local_backend_says_in_one_line_what_it_cannot_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--backend", "local", "jobs", "--kind", "tuning"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert (
        captured.err.count("\n") == 1
        and "tuning jobs don't run on the local backend" in captured.err
    )
    assert main(["--backend", "local", "logs", "x", "--kind", "processing"]) == 2
    assert "processing jobs don't run on the local backend" in capsys.readouterr().err
    assert main(["--backend", "local", "describe", "x", "--kind", "processing"]) == 1
    assert "processing jobs don't run on the local backend" in capsys.readouterr().err
