"""What a user or a disk can cause is a typed error with a clear message and the right
exit code (2 bad input, 1 the operation failed), never "this is a bug in smtui"."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from smtui.cli import main
from tests.conftest import JOBBER_CONFIG

BUG = "this is a bug in smtui"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (JOBBER_CONFIG.replace("my-bucket", "my\x00bucket"), ":15: the file holds the control "
         "character U+0000"),
        (JOBBER_CONFIG.replace("my-bucket", "my\x1bbucket"), "control character U+001B"),
        (JOBBER_CONFIG.replace('"5"', "9" * 5000), ":25: the number is too long to read"),
        ("submit:\n  params:\n    x: " + "[" * 5000 + "]" * 5000 + "\n", "nested"),
        (JOBBER_CONFIG + "  tags: " + "{a: " * 100 + "1" + "}" * 100 + "\n", "nested more than"),
        (b"submit:\n  bucket: caf\xe9\n", "cannot read config file"),
    ],
    ids=["nul", "esc", "long-int", "deep-flow", "deep-mapping", "latin-1"],
)  # fmt: skip
def test_a_hostile_config_is_bad_input(
    project: Path, capsys: pytest.CaptureFixture[str], text: str | bytes, expected: str
) -> None:
    if isinstance(text, bytes):
        project.write_bytes(text)
    else:
        project.write_text(text)
    assert main(["submit", "--dry-run", "--config", str(project)]) == 2
    err = capsys.readouterr().err
    assert expected in err and str(project) in err, err
    assert BUG not in err and "\x1b" not in err and "\x00" not in err
    # A broken ./jobber.yml does not stop the commands that only need where to connect.
    assert main(["jobs", "--backend", "local"]) == 0
    assert "jobber.yml has errors and is ignored" in capsys.readouterr().err


def test_download_dest_naming_a_file_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "model.bin"
    target.write_text("keep me")
    assert main(["download", "job", "--backend", "local", "--dest", str(target)]) == 2
    err = capsys.readouterr().err
    assert f"--dest: '{target}' is a file, not a folder" in err and BUG not in err
    assert target.read_text() == "keep me"


def test_a_truncated_archive_fails_the_download_clearly(
    moto_aws: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.awsfakes import create_job, sagemaker_backend

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("model.pt")
        payload = os.urandom(100_000)
        info.size = len(payload)
        tar.addfile(info, io.BytesIO(payload))
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="bucket")
    s3.put_object(Bucket="bucket", Key="o/model.tar.gz", Body=buffer.getvalue()[:30_000])
    create_job("cut", status="Completed")
    sagemaker_backend().training_jobs["cut"].model_artifacts = {
        "S3ModelArtifacts": "s3://bucket/o/model.tar.gz"
    }
    dest = tmp_path / "out"
    assert main(["download", "cut", "--dest", str(dest), "--extract"]) == 1
    err = capsys.readouterr().err
    assert "truncated or not a readable tar.gz" in err and BUG not in err
    assert list(dest.iterdir()) == []  # no half archive, no half extraction


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A folder another user can reach (pytest's own tmp is private to its user)."""
    folder = Path(tempfile.mkdtemp(prefix="smtui-test-"))
    folder.chmod(0o777)
    try:
        yield folder
    finally:
        subprocess.run(["rm", "-rf", str(folder)], check=False)


def _as_another_user() -> list[str]:
    """A command prefix that drops root: root reads every file whatever its mode, so an
    unreadable file needs another user."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv to drop privileges")
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def test_an_unreadable_file_in_a_sync_source_is_bad_input(shared_tmp: Path) -> None:
    src = shared_tmp / "data"
    src.mkdir()
    src.chmod(0o755)
    (src / "ok.csv").write_text("1\n")
    (src / "ok.csv").chmod(0o644)
    (src / "secret.bin").write_text("x")
    (src / "secret.bin").chmod(0o000)
    home = shared_tmp / "home"
    home.mkdir(mode=0o777)
    home.chmod(0o777)
    env = {**os.environ, "SMTUI_HOME": str(home), "HOME": str(home)}
    done = subprocess.run(
        [*_as_another_user(), sys.executable, "-m", "smtui", "sync-data", "--backend",
         "local", "--src", str(src), "--dest", "s3://bkt/data/"],
        capture_output=True, text=True, env=env, cwd=shared_tmp, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "cannot read 1 file(s) (permission denied): secret.bin" in done.stderr
    assert BUG not in done.stderr and "Traceback" not in done.stderr
    assert not (home / "buckets" / "bkt" / "data" / "ok.csv").exists()  # nothing uploaded


def test_a_file_name_that_is_not_utf8_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "data"
    src.mkdir()
    (src / "ok.csv").write_text("1\n")
    with open(os.fsencode(src) + b"/caf\xe9.csv", "w") as handle:
        handle.write("latin-1 name")
    code = main(["sync-data", "--backend", "local", "--src", str(src), "--dest", "s3://bkt/d/"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "file name(s) are not UTF-8" in err and "caf\\xe9.csv" in err and BUG not in err
