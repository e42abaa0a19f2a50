"""CLI behaviour users tripped on (issue 13, item 6), against moto in-process."""

from __future__ import annotations

import datetime as dt
import io
import json
import tarfile
from pathlib import Path

import boto3
import pytest

from smtui.cli import main
from smtui.cli.logs import parse_age
from smtui.core.errors import UsageError
from tests.awsfakes import create_job, sagemaker_backend
from tests.conftest import JOBBER_CONFIG, WriteConfig


def keys(bucket: str = "my-bucket") -> list[str]:
    listing = boto3.client("s3", region_name="us-east-1").list_objects_v2(Bucket=bucket)
    return sorted(o["Key"] for o in listing.get("Contents", []))


def data_folder(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.csv").write_text("1,2\n")
    return data


def test_sync_data_creates_the_configs_bucket(
    moto_aws: None, project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sync = ["sync-data", "--config", str(project), "--src", str(data_folder(tmp_path))]
    assert main(sync) == 0
    assert "created bucket s3://my-bucket/" in capsys.readouterr().err
    assert keys() == ["custom-run/data/a.csv"]


def test_the_placeholder_goes_once_real_data_is_synced(
    moto_aws: None, project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="my-bucket")
    s3.put_object(Bucket="my-bucket", Key="custom-run/data/placeholder.txt", Body=b"x")
    s3.put_object(Bucket="my-bucket", Key="custom-run/data/old.csv", Body=b"x")
    sync = ["sync-data", "--config", str(project), "--src", str(data_folder(tmp_path))]
    assert main([*sync, "--dry-run"]) == 0
    err = capsys.readouterr().err
    assert "would remove placeholder.txt" in err
    assert "1 only on S3, kept" in err and "to delete" not in err  # --delete is off
    assert main(sync) == 0
    assert keys() == ["custom-run/data/a.csv", "custom-run/data/old.csv"]


def test_download_goes_to_a_folder_named_after_the_job_and_never_overwrites(
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
    sagemaker_backend().training_jobs["done"].model_artifacts = {
        "S3ModelArtifacts": "s3://bucket/p/outputs/done/output/model.tar.gz"
    }
    assert main(["download", "done", "--extract"]) == 0  # the working folder is tmp_path
    assert (tmp_path / "done" / "model.pt").read_bytes() == b"model"
    (tmp_path / "done" / "model.pt").write_bytes(b"mine")
    capsys.readouterr()
    assert main(["download", "done", "--extract"]) == 2
    assert "pass --force" in capsys.readouterr().err
    assert (tmp_path / "done" / "model.pt").read_bytes() == b"mine"
    (tmp_path / "done" / "model.tar.gz").unlink()
    assert main(["download", "done", "--extract"]) == 2  # extraction would overwrite
    assert "would overwrite 1 file(s)" in capsys.readouterr().err
    assert main(["download", "done", "--extract", "--force"]) == 0
    assert (tmp_path / "done" / "model.pt").read_bytes() == b"model"


def test_resubmit_refuses_two_spellings_of_one_param(
    moto_aws: None, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["submit", "--config", str(project)]) == 0
    job = capsys.readouterr().out.strip()
    flags = ["--param", "batch-size=8", "--param", "batch_size=9"]
    assert main(["resubmit", job, *flags, "--dry-run"]) == 2
    assert "both normalise to 'batch_size'" in capsys.readouterr().err


def test_logs_follow_exits_1_after_a_failed_job(
    moto_aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    create_job("bad", status="Failed")
    assert main(["logs", "bad", "--follow"]) == 1
    assert "bad: Failed" in capsys.readouterr().err
    create_job("good", status="Completed")
    assert main(["logs", "good", "--follow"]) == 0
    assert "good: Completed" in capsys.readouterr().err


def test_logs_of_a_job_without_streams_say_so(
    moto_aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    create_job("quiet", status="Completed")
    assert main(["logs", "quiet"]) == 0
    out, err = capsys.readouterr()
    assert out == "" and "quiet has no log streams" in err


def test_jobs_with_no_jobs_prints_no_header(
    moto_aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["jobs"]) == 0
    out, err = capsys.readouterr()
    assert out == "" and err.strip() == "no training jobs found"


def test_init_writes_its_entry_point_and_dry_run_names_the_placeholders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init"]) == 0
    assert (tmp_path / "code" / "train.py").is_file()
    assert main(["submit", "--dry-run"]) == 0  # the script's argparse accepts the argv
    err = capsys.readouterr().err
    assert "role-arn" in err and "example value '123456789012'" in err
    assert "bucket" in err and "example value 'my-bucket'" in err


def test_since_takes_durations_and_iso_times() -> None:
    assert parse_age("1h30m") == 5400 and parse_age("2d") == 172800 and parse_age("90s") == 90
    noon = dt.datetime(2026, 1, 2, 12, tzinfo=dt.UTC).timestamp()
    assert parse_age("2026-01-02T11:00:00Z", now=noon) == 3600
    assert parse_age("2026-01-02T11:30:00+00:00", now=noon) == 1800
    for bad in ("yesterday", "10x", "2027-01-01T00:00:00Z"):
        with pytest.raises(UsageError, match="--since"):
            parse_age(bad, now=noon)


def test_submit_flags_for_the_request_surface(
    write_config: WriteConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config(JOBBER_CONFIG + "  tags: {team: ml}\n")
    flags = [
        "--distribution", "torch_distributed", "--volume-size", "100", "--keep-alive", "900",
        "--checkpoints", "--env", "A=1", "--tag", "run=7", "--channel", "val=s3://bucket2/val/",
    ]  # fmt: skip
    assert main(["submit", "--config", str(path), "--dry-run", *flags]) == 0
    out, err = capsys.readouterr()
    request = json.loads(out)
    assert request["HyperParameters"]["sagemaker_torch_distributed_enabled"] == "true"
    assert request["ResourceConfig"]["VolumeSizeInGB"] == 100
    assert request["ResourceConfig"]["KeepAlivePeriodInSeconds"] == 900
    assert request["CheckpointConfig"]["S3Uri"].startswith("s3://my-bucket/custom-run/checkpoints/")
    assert request["Environment"] == {"A": "1"}
    assert request["Tags"][:2] == [{"Key": "team", "Value": "ml"}, {"Key": "run", "Value": "7"}]
    assert [c["ChannelName"] for c in request["InputDataConfig"]] == ["train", "val"]
    assert main(["submit", "--config", str(path), "--dry-run", "--tag", "bad=a#b"]) == 2
    assert "--tag" in capsys.readouterr().err


def test_resubmit_changes_spot_runtime_name_and_removes_a_param(
    moto_aws: None, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["submit", "--config", str(project)]) == 0
    job = capsys.readouterr().out.strip()
    flags = ["--spot", "--max-run", "7200", "--job-name", "again", "--remove-param", "epochs"]
    assert main(["resubmit", job, *flags, "--dry-run"]) == 0
    request = json.loads(capsys.readouterr().out)
    assert request["EnableManagedSpotTraining"] is True
    assert request["StoppingCondition"] == {
        "MaxRuntimeInSeconds": 7200,
        "MaxWaitTimeInSeconds": 7200,
    }
    assert request["TrainingJobName"].startswith("again-")
    assert "epochs" not in request["HyperParameters"]
    assert main(["resubmit", job, "--job-name", "bad_name", "--dry-run"]) == 2
    assert main(["resubmit", job, "--max-run", "0", "--dry-run"]) == 2
    assert "--max-run" in capsys.readouterr().err
