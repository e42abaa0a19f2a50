"""`smtui cost` against moto: a table of jobs whose bills are worked out by hand here
(spot, warm pools, several instances, a running job, a type with no price), and a second
run that describes only the jobs that can still change.

moto keeps no BillableTimeInSeconds, TrainingTimeInSeconds or WarmPoolStatus: they are set
on its job objects, which it answers with as DescribeTrainingJob fields.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from smtui.cli import main
from tests.awsfakes import create_job, mutations, record_calls, sagemaker_backend

G5, G5_12, P4D, M5 = 1.408, 7.09, 37.688, 0.23
"""The shipped us-east-1 prices of the types below, USD an hour."""


def job(
    name: str,
    instance_type: str,
    hosts: int,
    status: str,
    *,
    days_ago: float = 1,
    billable: int | None = None,
    training: int | None = None,
    spot: bool = False,
    pool: dict[str, Any] | None = None,
    team: str | None = None,
    started_ago: int | None = None,
) -> None:
    tags = [{"Key": "team", "Value": team}] if team else []
    create_job(name, hosts, status, instance_type=instance_type, Tags=tags,
               EnableManagedSpotTraining=spot)  # fmt: skip
    fake = sagemaker_backend().training_jobs[name]
    now = dt.datetime.now(dt.UTC)
    fake.creation_time = now - dt.timedelta(days=days_ago)
    fake.training_start_time = fake.creation_time + dt.timedelta(minutes=5)
    fake.training_end_time = fake.training_start_time + dt.timedelta(seconds=billable or 0)
    if started_ago is not None:  # running: no end, no billable time yet
        fake.training_start_time = now - dt.timedelta(seconds=started_ago)
        fake.training_end_time = None
    if billable is not None:
        fake.billable_time_in_seconds = billable
    if training is not None:
        fake.training_time_in_seconds = training
    if pool is not None:
        fake.warm_pool_status = pool


def account() -> None:
    job("bert-20261205-101010-000", "ml.g5.xlarge", 1, "Completed", billable=3600, team="nlp")
    job("bert-20261205-111111-000", "ml.g5.12xlarge", 2, "Completed", billable=1800,
        training=7200, spot=True, team="nlp")  # fmt: skip
    job("bert-20261205-121212-000", "ml.g5.xlarge", 1, "Completed", billable=600, team="nlp",
        pool={"Status": "Available", "ResourceRetainedBillableTimeInSeconds": 120})  # fmt: skip
    ended = {"Status": "Terminated", "ResourceRetainedBillableTimeInSeconds": 600}
    job("llama-20261206-090000-000", "ml.p4d.24xlarge", 4, "Completed", billable=900,
        team="llm", pool=ended)  # fmt: skip
    job("llama-20261206-100000-000", "ml.p4d.24xlarge", 4, "Stopped", billable=0, team="llm")
    job("tiny-20261206-120000-000", "ml.m5.xlarge", 1, "InProgress", started_ago=1800)
    job("big-20261206-130000-000", "ml.p4de.24xlarge", 2, "Completed", billable=3600)
    job("old-20261101-000000-000", "ml.g5.xlarge", 1, "Completed", days_ago=30, billable=99999)


EXPECTED = {
    # group: (jobs, instance-hours, compute, warm pool, spot saved)
    "bert": (3, 1 + 2 * 0.5 + (600 + 120) / 3600, G5 + G5_12 * 2 * 0.5 + G5 * 600 / 3600,
             G5 * 120 / 3600, G5_12 * 2 * (7200 - 1800) / 3600),
    "llama": (2, 4 * (900 + 600) / 3600, P4D * 4 * 900 / 3600, P4D * 4 * 600 / 3600, 0.0),
    "tiny": (1, 0.5, M5 * 0.5, 0.0, 0.0),
    "big": (1, 2.0, 0.0, 0.0, 0.0),
}  # fmt: skip


def report(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["cost", "--json", *args]) == 0
    parsed: dict[str, Any] = json.loads(capsys.readouterr().out)
    return parsed


def test_the_bills_are_the_hand_worked_ones(
    moto_aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    account()
    found = report(capsys)
    assert "shipped us-east-1 table" in found["prices"]
    assert "Price List API failed" in found["prices"]  # moto serves no prices, and says so
    groups = {g["group"]: g for g in found["groups"]}
    assert set(groups) == set(EXPECTED)
    for name, (jobs, hours, compute, pool, saved) in EXPECTED.items():
        group = groups[name]
        assert group["jobs"] == jobs, name
        assert group["instance_hours"] == pytest.approx(hours, abs=0.01), name
        assert group["compute"] == pytest.approx(compute, abs=0.01), name
        assert group["warm_pool"] == pytest.approx(pool, abs=1e-4), name
        assert group["spot_saved"] == pytest.approx(saved, abs=1e-4), name
        assert group["total"] == pytest.approx(compute + pool, abs=0.01), name
    assert groups["big"]["unpriced_jobs"] == 1  # ml.p4de.24xlarge has no shipped price
    overall = found["total"]
    assert overall["jobs"] == 7  # the 30-day-old job is outside the week
    assert overall["total"] == pytest.approx(sum(c + p for _, _, c, p, _ in EXPECTED.values()),
                                           abs=0.01)  # fmt: skip
    assert [g["group"] for g in found["groups"]] == ["llama", "bert", "tiny", "big"]  # dearest
    by_name = {j["name"]: j for j in found["jobs"]}
    assert by_name["tiny-20261206-120000-000"]["running"] is True
    assert by_name["llama-20261206-100000-000"]["total"] == 0.0


def test_by_instance_and_by_tag(moto_aws: None, capsys: pytest.CaptureFixture[str]) -> None:
    account()
    by_instance = {g["group"]: g for g in report(capsys, "--by", "instance")["groups"]}
    assert by_instance["ml.p4d.24xlarge ×4"]["jobs"] == 2
    assert by_instance["ml.g5.xlarge ×1"]["compute"] == pytest.approx(G5 * 4200 / 3600, abs=1e-3)
    by_team = {g["group"]: g for g in report(capsys, "--by", "tag:team")["groups"]}
    assert set(by_team) == {"nlp", "llm", "(no team tag)"}
    assert by_team["nlp"]["total"] == pytest.approx(EXPECTED["bert"][2] + EXPECTED["bert"][3],
                                                    abs=1e-3)  # fmt: skip
    assert by_team["(no team tag)"]["jobs"] == 2


def test_a_second_run_describes_only_what_can_still_change(
    moto_aws: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    account()
    sent = record_calls(monkeypatch)
    first = report(capsys, "--by", "tag:team")
    assert sent.count("sagemaker:DescribeTrainingJob") == 7
    assert sent.count("sagemaker:ListTags") == 7
    assert sent.count("pricing:GetProducts") == 1
    sent.clear()
    second = report(capsys, "--by", "tag:team")
    # Only the running job and the one whose warm pool is still Available; no price call
    # (the failure is kept a day), and the same answer.
    described = sorted(c for c in sent if c == "sagemaker:DescribeTrainingJob")
    assert len(described) == 2
    assert sent.count("sagemaker:ListTags") == 2
    assert "pricing:GetProducts" not in sent
    assert second["groups"][0] == first["groups"][0]
    sent.clear()
    report(capsys, "--refresh")
    assert sent.count("sagemaker:DescribeTrainingJob") == 7
    assert sent.count("pricing:GetProducts") == 1


def test_the_table_for_people(moto_aws: None, capsys: pytest.CaptureFixture[str]) -> None:
    account()
    assert main(["cost", "--since", "3d"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].split() == ["CONFIG", "JOBS", "INSTANCE-H", "COMPUTE", "WARM", "POOL",
                                "SPOT", "SAVED", "TOTAL"]  # fmt: skip
    assert lines[1].split()[0] == "llama"
    assert lines[-1].split()[:2] == ["total", "7"]
    assert "1 still running" in err
    assert lines[-1].split()[3].endswith("*")  # the total leaves out a job with no price
    assert [line.split()[3] for line in lines if line.startswith("big")] == ["-"]
    assert "* 1 job with no price for ml.p4de.24xlarge ×2" in err
    assert "prices: the shipped us-east-1 table" in err


def test_bad_options_exit_2(moto_aws: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cost", "--by", "team"]) == 2
    assert "cannot group by 'team': config, instance or tag:KEY" in capsys.readouterr().err
    assert main(["cost", "--since", "soon"]) == 2


def test_an_empty_week(moto_aws: None, capsys: pytest.CaptureFixture[str]) -> None:
    client = boto3.client("sagemaker", region_name="us-east-1")
    assert client.list_training_jobs()["TrainingJobSummaries"] == []
    assert main(["cost"]) == 0
    assert "no training jobs in that time" in capsys.readouterr().err


def test_a_submit_that_may_cost_more_than_max_cost_exits_2_and_sends_nothing(
    moto_aws: None, project: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    project.write_text(project.read_text() + "  max-cost: 20\n")
    line = len(project.read_text().splitlines())
    sent = record_calls(monkeypatch)
    said = (f"jobber.yml:{line}: submit.max-cost: the job may cost $33.79 (1 × ml.g5.xlarge at "
            "$1.41/h for its max runtime of 86400 s), over max-cost $20.00")  # fmt: skip
    assert main(["submit", "--dry-run"]) == 2
    out, err = capsys.readouterr()
    assert said in err and out == ""  # no request printed
    assert main(["submit"]) == 2
    assert said in capsys.readouterr().err
    assert mutations(sent) == []  # no bucket, no upload, no job
    assert main(["submit", "--dry-run", "--max-run", "3600"]) == 0  # $1.41: under it
    out, err = capsys.readouterr()
    assert json.loads(out)["StoppingCondition"]["MaxRuntimeInSeconds"] == 3600
    assert ("cost: $1.41/h on demand; at most $1.41 if it runs its whole max runtime; "
            "with spot $0.14-$1.41") in err  # fmt: skip


def test_a_submit_under_max_cost_says_what_it_may_cost(
    moto_aws: None, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project.write_text(project.read_text() + "  max-cost: 50\n")
    assert main(["submit"]) == 0
    err = capsys.readouterr().err
    assert "smtui: cost: $1.41/h on demand; at most $33.79" in err
    assert boto3.client("sagemaker", region_name="us-east-1").list_training_jobs()[
        "TrainingJobSummaries"
    ]


def test_a_resubmit_is_bound_by_the_max_cost_its_job_was_submitted_under(
    moto_aws: None, project: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    project.write_text(project.read_text() + "  max-cost: 50\n")
    assert main(["submit"]) == 0
    job = capsys.readouterr().out.strip()
    stored = f"s3://my-bucket/custom-run/configs/{job}.yml"
    sent = record_calls(monkeypatch)
    assert main(["resubmit", job, "--instance-count", "2", "--dry-run"]) == 2
    assert (f"submit.max-cost (in {stored}): the job may cost $67.58 (2 × ml.g5.xlarge at "
            "$2.82/h for its max runtime of 86400 s), over max-cost $50.00") in (
        capsys.readouterr().err)  # fmt: skip
    assert main(["resubmit", job, "--instance-count", "2"]) == 2
    assert mutations(sent) == []
    capsys.readouterr()
    assert main(["resubmit", job, "--instance-count", "2", "--max-run", "3600"]) == 0
    out, err = capsys.readouterr()
    assert "smtui: cost: $2.82/h on demand; at most $2.82 if it runs" in err
    again = out.strip()
    s3 = boto3.client("s3", region_name="us-east-1")
    kept = s3.get_object(Bucket="my-bucket", Key=f"custom-run/configs/{again}.yml")
    body = kept["Body"].read().decode()
    assert "max-cost: 50" in body  # the clone's own clones are bound too


def test_a_heterogeneous_cluster_is_priced_group_by_group(
    moto_aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    job("mixed-20261206-080000-000", "ml.p4d.24xlarge", 2, "Completed", billable=1800)
    fake = sagemaker_backend().training_jobs["mixed-20261206-080000-000"]
    fake.resource_config = {"VolumeSizeInGB": 30, "InstanceGroups": [
        {"InstanceType": "ml.p4d.24xlarge", "InstanceCount": 2, "InstanceGroupName": "gpu"},
        {"InstanceType": "ml.m5.xlarge", "InstanceCount": 4, "InstanceGroupName": "data"},
    ]}  # fmt: skip
    found = report(capsys, "--by", "instance")
    (group,) = found["groups"]
    assert group["group"] == "ml.p4d.24xlarge ×2 + ml.m5.xlarge ×4"
    assert group["total"] == pytest.approx((P4D * 2 + M5 * 4) * 0.5, abs=1e-4)
    assert group["instance_hours"] == pytest.approx(6 * 0.5)
