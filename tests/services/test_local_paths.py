"""Hostile keys, URIs and channel names never reach outside a local bucket or a job's tree:
every local path is made and checked in one place, and a job that names one is refused at
submit with exit code 2."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from smtui.cli import main
from smtui.core.s3uri import S3Uri
from smtui.services.errors import InvalidInput
from smtui.services.home import smtui_home
from smtui.services.local import local_backend
from smtui.services.local.storage import LocalStorage

HOSTILE_KEYS = [
    "..", "../", "../../", "../x", "../../etc/passwd", "a/../../x", "a/..", "a/../", "./x",
    "a/./b", ".", "a/.", "data/../../jobs/", "x\0y",
]  # fmt: skip
"""Keys and prefixes with a `.` or `..` segment (or a NUL): each would name a place outside
its folder on disk."""
HARMLESS_KEYS = ["...", "..x", "x..", "%2e%2e/x", "a/...b", "\\..\\x"]
"""Dots that are not a segment of their own: plain names on disk, stored as S3 stores them."""


@pytest.fixture
def storage(tmp_path: Path) -> LocalStorage:
    """A bucket `bkt` holding one object, beside a secret that must stay out of reach."""
    root = tmp_path / "buckets"
    (root / "bkt" / "data").mkdir(parents=True)
    (root / "bkt" / "data" / "rows.csv").write_text("x\n")
    (tmp_path / "secret.txt").write_text("secret")
    (root / "other").mkdir()
    (root / "other" / "theirs.txt").write_text("not yours")
    return LocalStorage(root)


@pytest.mark.parametrize("key", HOSTILE_KEYS)
async def test_no_operation_reaches_outside_the_bucket(storage: LocalStorage, key: str) -> None:
    uri = f"s3://bkt/{key}"
    with pytest.raises(InvalidInput):
        await storage.list_prefix(uri)
    with pytest.raises(InvalidInput):
        await storage.list_all(uri)
    with pytest.raises(InvalidInput):
        storage.walk(S3Uri.parse(uri))
    with pytest.raises(InvalidInput):
        await storage.read_bytes(uri)
    with pytest.raises(InvalidInput):
        await storage.put_bytes(uri, b"overwritten")
    with pytest.raises(InvalidInput):
        await storage.delete_objects([uri])
    with pytest.raises(InvalidInput):
        await storage.download(uri, storage.root.parent / "out")
    with pytest.raises(InvalidInput):
        await storage.upload_files([(storage.root / "bkt/data/rows.csv", uri)])
    assert (storage.root.parent / "secret.txt").read_text() == "secret"
    assert (storage.root / "other/theirs.txt").read_text() == "not yours"


@pytest.mark.parametrize("key", HARMLESS_KEYS)
async def test_dots_inside_a_name_are_an_ordinary_key(storage: LocalStorage, key: str) -> None:
    uri = f"s3://bkt/{key}"
    await storage.put_bytes(uri, b"ok")
    assert await storage.read_bytes(uri) == b"ok"
    assert [o.key for o in await storage.list_all(uri)] == [key]


def test_ls_above_the_bucket_is_refused_and_lists_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    (smtui_home() / "buckets" / "my-bucket").mkdir(parents=True)
    (smtui_home() / "outside.txt").write_text("x")
    assert main(["ls", "s3://my-bucket/../../", "--backend", "local"]) == 2
    captured = capsys.readouterr()
    assert "outside.txt" not in captured.out and "buckets" not in captured.out
    assert "'..' segments" in captured.err


REQUEST: dict[str, Any] = {
    "TrainingJobName": "hostile",
    "AlgorithmSpecification": {"TrainingImage": "x", "TrainingInputMode": "File"},
    "HyperParameters": {"sagemaker_program": "train.py",
                        "sagemaker_submit_directory": "s3://bkt/code/sourcedir.tar.gz"},
    "InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {
        "S3DataType": "S3Prefix", "S3Uri": "s3://bkt/data/"}}}],
    "OutputDataConfig": {"S3OutputPath": "s3://bkt/outputs/"},
    "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1},
}  # fmt: skip


def hostile(change: str, value: str) -> dict[str, Any]:
    request = copy.deepcopy(REQUEST)
    if change == "channel":
        request["InputDataConfig"][0]["ChannelName"] = value
    elif change == "channel-uri":
        request["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"] = value
    elif change == "checkpoint-uri":
        request["CheckpointConfig"] = {"S3Uri": value}
    else:
        request["OutputDataConfig"]["S3OutputPath"] = value
    return request


@pytest.mark.parametrize(
    ("change", "value"),
    [
        ("channel", ".."),
        ("channel", "."),
        ("channel", "../config"),
        ("channel", "a/b"),
        ("channel", "bad name"),
        ("channel", ""),
        ("channel", "x" * 65),
        ("channel", "tr\u00e4in"),
        ("channel-uri", "s3://bkt/../../"),
        ("channel-uri", "s3://bkt/data/../../etc/"),
        ("checkpoint-uri", "s3://bkt/ckpt/../../.."),
        ("checkpoint-uri", "s3://bkt/./ckpt/"),
        ("output", "s3://bkt/../outputs/"),
    ],
)
async def test_a_job_naming_a_path_outside_is_refused_at_submit(change: str, value: str) -> None:
    backend = local_backend(smtui_home())
    with pytest.raises(InvalidInput) as refused:
        await backend.jobs.create_job(hostile(change, value))
    assert refused.value.exit_code == 2
    assert not (smtui_home() / "jobs" / "hostile").exists()  # nothing was started


async def test_channel_names_follow_sagemakers_pattern_from_botocore() -> None:
    import botocore.session

    shape = botocore.session.get_session().get_service_model("sagemaker")
    pattern = shape.shape_for("ChannelName").metadata["pattern"]
    backend = local_backend(smtui_home())
    request = hostile("channel", "Train_set-2.v1")  # every character the pattern allows
    assert "." in pattern and "_" in pattern
    (smtui_home() / "buckets" / "bkt").mkdir(parents=True)
    assert (await backend.jobs.create_job(request)).endswith("training-job/hostile")
