"""What a local job leaves as SageMaker leaves it: FinalMetricDataList from the metric
definitions, and one model archive of all hosts with no member twice."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest

from smtui.cli import main
from smtui.services.home import smtui_home
from tests.services.localjob import model_members, only_job, write_project

METRICS = """\
import os, sys
host = os.environ["SM_CURRENT_HOST"]
for epoch in range(3):
    print(f"epoch={epoch} loss={1 / (epoch + 1):.4f}", flush=True)
    print(f"acc={0.5 + epoch / 10:.2f}", file=sys.stderr, flush=True)
"""


def test_describe_has_the_last_value_of_each_metric(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_project(project, METRICS)
    project.write_text(
        project.read_text()
        + "  metric-definitions:\n"
        + "    - {name: 'train:loss', regex: 'loss=([0-9.]+)'}\n"
        + "    - {name: 'never', regex: 'absent=([0-9.]+)'}\n"
        + "    - {name: 'train:acc', regex: 'acc=([0-9.]+)'}\n"
    )
    assert main(["submit", "--config", str(project), "--wait"]) == 0
    capsys.readouterr()
    assert main(["describe", only_job(), "--backend", "local", "--json"]) == 0
    described = json.loads(capsys.readouterr().out)
    final = described["FinalMetricDataList"]
    assert [(m["MetricName"], m["Value"]) for m in final] == [
        ("train:loss", pytest.approx(1 / 3, abs=1e-4)),
        ("train:acc", 0.7),
    ]
    for metric in final:
        assert metric["Timestamp"] >= described["TrainingStartTime"]
        assert metric["Timestamp"] <= described["TrainingEndTime"]


CLASHING = """\
import os
host = os.environ["SM_CURRENT_HOST"]
model = os.environ["SM_MODEL_DIR"]
os.makedirs(os.path.join(model, "sub"), exist_ok=True)
open(os.path.join(model, "model.pt"), "w").write(host)
open(os.path.join(model, "sub", "shared.txt"), "w").write(host)
open(os.path.join(model, host + ".txt"), "w").write(host)
"""


def test_several_hosts_make_one_archive_without_duplicate_members(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_project(project, CLASHING, count=3)
    assert main(["submit", "--config", str(project), "--wait"]) == 0
    job = only_job()
    path = smtui_home() / "buckets/my-bucket/run/outputs" / job / "output/model.tar.gz"
    with tarfile.open(path) as tar:
        names = tar.getnames()
    assert len(names) == len(set(names))
    members = model_members(job)
    assert sorted(members) == [
        "algo-1.txt", "algo-2.txt", "algo-3.txt", "model.pt", "sub/shared.txt"
    ]  # fmt: skip
    assert members["model.pt"] == b"algo-1" and members["sub/shared.txt"] == b"algo-1"
    capsys.readouterr()
    assert main(["logs", job, "--backend", "local", "--filter", "archive keeps"]) == 0
    clashes = capsys.readouterr().out.splitlines()
    assert len(clashes) == 4  # two names, each also on algo-2 and algo-3
    assert all("keeps algo-1's" in line for line in clashes)


def test_what_a_job_writes_is_private(project: Path) -> None:
    write_project(project, "open('/dev/null').close()\nprint('hello', flush=True)\n")
    assert main(["submit", "--config", str(project), "--wait"]) == 0
    job = smtui_home() / "jobs" / only_job()
    written = [
        *job.rglob("logs/*.log"),
        *job.rglob("hyperparameters.json"),
        *job.rglob("model"),
    ]
    assert len(written) >= 3
    for path in written:
        assert path.stat().st_mode & 0o077 == 0, (path, oct(path.stat().st_mode))
