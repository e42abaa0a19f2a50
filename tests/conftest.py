"""Fixtures shared by every test: an isolated environment and a jobber project on disk."""

from __future__ import annotations

import os
import stat
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from smtui.services.backend import Backend

if TYPE_CHECKING:
    from tests.awsfakes import MotoEndpoint

AWS_VARS = (
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "SMTUI_BACKEND",
    "AWS_MAX_ATTEMPTS",
    "AWS_RETRY_MODE",
    "AWS_DATA_PATH",
    "AWS_USE_FIPS_ENDPOINT",
    "XDG_CACHE_HOME",
)

JOBBER_CONFIG = """\
provider: aws
build:
  image: my-training
  tag: latest
  template: gpu-cu121
  context: .
push:
  image: my-training
  repo: my-training
  tag: latest
  region: us-east-1
submit:
  image-uri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/my-training:latest
  role-arn: arn:aws:iam::123456789012:role/SageMakerExecutionRole
  bucket: my-bucket
  prefix: custom-run
  region: us-east-1
  entry-point: train.py
  source-dir: code-bundle
  instance-type: ml.g5.xlarge
  instance-count: 1
  use-spot: false
  max-wait-seconds: 3600
  params:
    epochs: "5"
    batch-size: "64"
"""
"""A config as jobber users write it (its README's example, with build/push sections)."""


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test sees the developer's AWS settings, home, working folder or time zone."""
    for var in AWS_VARS:
        monkeypatch.delenv(var, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "aws-credentials"))
    monkeypatch.setenv("SMTUI_HOME", str(tmp_path / "smtui-home"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TZ", "UTC")  # times render the same on every machine
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


WriteConfig = Callable[[str], Path]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with `code-bundle/train.py` and the jobber config above."""
    code = tmp_path / "code-bundle"
    code.mkdir()
    (code / "train.py").write_text("print('training')\n")
    path = tmp_path / "jobber.yml"
    path.write_text(JOBBER_CONFIG)
    return path


@pytest.fixture
def write_config(project: Path) -> WriteConfig:
    """Write a config (dedented) next to the project's code; return its path."""

    def write(text: str) -> Path:
        project.write_text(textwrap.dedent(text))
        return project

    return write


@pytest.fixture
def moto_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every boto3 call in the test goes to moto's in-process mock."""
    from moto import mock_aws

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        yield


@pytest.fixture
def aws_backend(moto_aws: None) -> Backend:
    """The aws backend against moto."""
    from smtui.services.factory import BackendSettings, make_backend

    return make_backend(BackendSettings("aws", region="us-east-1"))


@pytest.fixture
def moto_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[MotoEndpoint]:
    """moto's server on 127.0.0.1 (fresh state); boto3 in this process and in child
    processes reaches it through AWS_ENDPOINT_URL."""
    import urllib.request

    from tests.awsfakes import MotoEndpoint

    endpoint = MotoEndpoint()
    urllib.request.urlopen(urllib.request.Request(endpoint.url + "/moto-api/reset", method="POST"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint.url)
    yield endpoint
    endpoint.stop()


@pytest.fixture
def tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An `aws` that writes its argv to a file (the session itself needs AWS), and a
    session-manager-plugin, on PATH; returns the argv file."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    argv = tmp_path / "aws-argv.json"
    aws = bin_dir / "aws"
    aws.write_text(f"#!{sys.executable}\nimport json, sys\n"
                   f"open({str(argv)!r}, 'w').write(json.dumps(sys.argv[1:]))\n")  # fmt: skip
    plugin = bin_dir / "session-manager-plugin"
    plugin.write_text("#!/bin/sh\n")
    for tool in (aws, plugin):
        tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return argv
