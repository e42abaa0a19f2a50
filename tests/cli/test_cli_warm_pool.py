"""Warm pools against moto (UpdateTrainingJob added, as moto lacks it): kept longer and
released with the exact request, refused where there is no pool or the API's model would
refuse the value, its retained time in the cost, and a resubmit that would reuse it."""

from __future__ import annotations

import datetime as dt

import pytest

from smtui.cli import main
from smtui.core.jobs import TrainingJob
from tests.awsfakes import add_update_training_job, create_job, sagemaker_backend

ENDED = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)


def pooled(name: str = "warm", status: str = "Available") -> None:
    create_job(name, status="Completed")
    job = sagemaker_backend().training_jobs[name]
    job.resource_config = {**job.resource_config, "KeepAlivePeriodInSeconds": 1800}
    job.training_end_time = ENDED
    job.warm_pool_status = {"Status": status, "ResourceRetainedBillableTimeInSeconds": 300}


def test_keep_longer_then_release_with_the_exact_requests(
    moto_aws: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    requests = add_update_training_job(monkeypatch)
    pooled()
    assert main(["warm-pool", "warm", "--keep-alive", "3600", "--yes"]) == 0
    assert capsys.readouterr().out.strip() == "warm: warm pool kept 3600 s after its last use"
    assert main(["warm-pool", "warm", "--release", "--yes"]) == 0
    assert requests == [
        {"TrainingJobName": "warm", "ResourceConfig": {"KeepAlivePeriodInSeconds": 3600}},
        {"TrainingJobName": "warm", "ResourceConfig": {"KeepAlivePeriodInSeconds": 0}},
    ]
    capsys.readouterr()
    assert main(["warm-pool", "warm", "--release", "--yes"]) == 2  # Terminated now
    assert "warm's warm pool is Terminated: nothing to keep or release" in capsys.readouterr().err


def test_refusals_are_said_before_anything_is_sent(
    moto_aws: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    requests = add_update_training_job(monkeypatch)
    create_job("cold", status="Completed")
    assert main(["warm-pool", "cold", "--keep-alive", "60", "--yes"]) == 2
    assert "cold kept no warm pool" in capsys.readouterr().err
    pooled()
    assert main(["warm-pool", "warm", "--keep-alive", "99999", "--yes"]) == 2
    err = capsys.readouterr().err
    assert "ResourceConfig.KeepAlivePeriodInSeconds: must be at most 21600" in err  # botocore's
    assert main(["warm-pool", "warm", "--yes"]) == 2
    assert "give one of --keep-alive S" in capsys.readouterr().err
    assert requests == []


def test_the_retained_time_is_in_the_cost_and_a_matching_resubmit_says_it_reuses_the_pool(
    moto_aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    pooled()
    import boto3

    raw = boto3.client("sagemaker", region_name="us-east-1").describe_training_job(
        TrainingJobName="warm"
    )
    job = TrainingJob.from_api(raw)
    without = TrainingJob.from_api({**raw, "WarmPoolStatus": {"Status": "Available"}})
    assert job.retained_seconds == 300
    from smtui.core.instances import load_catalogue

    cost, bare, instance = job.cost(), without.cost(), load_catalogue().get("ml.g5.xlarge")
    assert cost is not None and bare is not None and instance is not None
    hourly = instance.price_per_hour
    assert hourly is not None
    price = cost - bare
    assert price == pytest.approx(300 / 3600 * hourly)  # 5 minutes retained, one instance
    assert main(["resubmit", "warm", "--dry-run"]) == 0
    assert "it matches warm's warm pool (Available until" in capsys.readouterr().err
    assert main(["resubmit", "warm", "--dry-run", "--instance-count", "2"]) == 0
    assert "warm pool" not in capsys.readouterr().err  # another count: another pool
