"""The CLI's job, log and data commands against moto (in-process)."""

from __future__ import annotations

import datetime as dt
import io
import json
import tarfile
import time
from pathlib import Path

import boto3
import pytest

from smtui.cli import main
from tests.awsfakes import add_stop_training_job, create_job, put_events

NOW = int(time.time() * 1000)


class Terminal(io.StringIO):
    """Typed answers on a stdin that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_submit_then_jobs_and_describe(
    moto_aws: None, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["submit", "--config", str(project)]) == 0
    job = capsys.readouterr().out.strip()
    assert main(["jobs", "--json"]) == 0
    summaries = json.loads(capsys.readouterr().out)
    assert summaries[0]["TrainingJobName"] == job
    assert {"TrainingJobName", "TrainingJobStatus", "CreationTime"} <= set(summaries[0])
    assert main(["describe", job, "--json"]) == 0
    described = json.loads(capsys.readouterr().out)
    assert described["HyperParameters"]["batch_size"] == json.dumps("64")
    assert main(["describe", job]) == 0
    assert "instances: ml.g5.xlarge x 1" in capsys.readouterr().out


def test_submit_wait_exits_by_final_status(
    moto_aws: None, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["submit", "--config", str(project), "--wait"]) == 0  # moto: Completed at once


def test_logs_merge_hosts_with_prefixes(moto_aws: None, capsys: pytest.CaptureFixture[str]) -> None:
    create_job("two", hosts=2, status="Completed")
    put_events("two/algo-1-1", [(NOW, "epoch 1 loss=0.5"), (NOW + 2, "epoch 2 loss=0.4")])
    put_events("two/algo-2-1", [(NOW + 1, "epoch 1 loss=0.6")])
    assert main(["logs", "two"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "[algo-1] epoch 1 loss=0.5",
        "[algo-2] epoch 1 loss=0.6",
        "[algo-1] epoch 2 loss=0.4",
    ]
    assert main(["logs", "two", "--filter", "epoch 2", "--follow"]) == 0
    assert capsys.readouterr().out.splitlines() == ["[algo-1] epoch 2 loss=0.4"]


def test_logs_with_timestamps(moto_aws: None, capsys: pytest.CaptureFixture[str]) -> None:
    create_job("stamped", status="Completed")
    put_events("stamped/algo-1-1", [(1_795_000_000_123, "hello")])
    assert main(["logs", "stamped", "--timestamps"]) == 0
    stamp, line = capsys.readouterr().out.rstrip("\n").split(" ", 1)
    assert line == "hello"
    when = dt.datetime.fromisoformat(stamp)  # local time, with its offset: unambiguous
    assert when.utcoffset() is not None and when.timestamp() == 1_795_000_000.123


def test_logs_of_one_host_have_no_prefix_and_since_works(
    moto_aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    create_job("one", status="Completed")
    put_events("one/algo-1-1", [(NOW - 3_600_000, "old"), (NOW, "new")])
    assert main(["logs", "one", "--since", "10m"]) == 0
    assert capsys.readouterr().out.splitlines() == ["new"]
    assert main(["logs", "one", "--since", "ten minutes"]) == 2


def test_stop_needs_confirmation_or_yes(
    moto_aws: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    add_stop_training_job(monkeypatch)
    create_job("long")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["stop", "long"]) == 2
    assert "pass --yes" in capsys.readouterr().err
    assert main(["stop", "long", "--yes"]) == 0
    assert capsys.readouterr().out.strip() == "long: Stopping"


def test_resubmit_dry_run_and_real(
    moto_aws: None, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["submit", "--config", str(project)]) == 0
    job = capsys.readouterr().out.strip()
    assert main(["resubmit", job, "--param", "batch-size=256", "--dry-run"]) == 0
    request = json.loads(capsys.readouterr().out)
    assert request["HyperParameters"]["batch_size"] == json.dumps("256")
    assert main(["resubmit", job, "--instance-type", "ml.g5.xlarg"]) == 2
    assert main(["resubmit", job, "--instance-count", "3"]) == 0
    assert capsys.readouterr().out.strip() != job


def test_download_and_extract(
    moto_aws: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="bucket")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("model.pt")
        info.size = 5
        tar.addfile(info, io.BytesIO(b"model"))
    s3.put_object(Bucket="bucket", Key="p/outputs/done/output/model.tar.gz", Body=buffer.getvalue())
    create_job("done", status="Completed")
    from tests.awsfakes import sagemaker_backend

    sagemaker_backend().training_jobs["done"].model_artifacts = {
        "S3ModelArtifacts": "s3://bucket/p/outputs/done/output/model.tar.gz"
    }
    assert main(["download", "done", "--dest", str(tmp_path / "out"), "--extract"]) == 0
    assert (tmp_path / "out" / "model.pt").read_bytes() == b"model"


def test_sync_data_and_ls(
    moto_aws: None, project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.csv").write_text("1,2\n")
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="my-bucket")
    assert main(["sync-data", "--config", str(project), "--src", str(data)]) == 0
    assert "1 to upload" in capsys.readouterr().err
    assert main(["sync-data", "--config", str(project), "--src", str(data), "--dry-run"]) == 0
    assert "0 to upload (0 B), 1 unchanged" in capsys.readouterr().err
    assert main(["ls", "s3://my-bucket/custom-run/"]) == 0
    assert "data/" in capsys.readouterr().out
    assert main(["ls", "s3://my-bucket/custom-run/data/"]) == 0
    assert "a.csv" in capsys.readouterr().out


def test_sync_data_deletes_only_when_confirmed(
    moto_aws: None,
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="my-bucket")
    s3.put_object(Bucket="my-bucket", Key="custom-run/data/stale.csv", Body=b"old")
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.csv").write_text("1,2\n")
    sync = ["sync-data", "--config", str(project), "--src", str(data), "--delete"]

    def keys() -> list[str]:
        listing = s3.list_objects_v2(Bucket="my-bucket", Prefix="custom-run/data/")
        return sorted(o["Key"] for o in listing["Contents"])

    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(sync) == 2  # nobody to ask: nothing is sent or deleted
    assert "pass --yes" in capsys.readouterr().err
    assert keys() == ["custom-run/data/stale.csv"]
    monkeypatch.setattr("sys.stdin", Terminal("n\n"))
    assert main(sync) == 0
    assert "deletes skipped" in capsys.readouterr().err
    assert keys() == ["custom-run/data/a.csv", "custom-run/data/stale.csv"]
    assert main([*sync, "--yes"]) == 0
    assert "deleted 1" in capsys.readouterr().err
    assert keys() == ["custom-run/data/a.csv"]


def test_service_errors_are_plain(moto_aws: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["describe", "nope"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: sagemaker:DescribeTrainingJob") and "Traceback" not in err
