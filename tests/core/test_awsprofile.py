"""The region as a config layer: flag > environment > the profile's region > file > default,
for the CLI and the submit form alike."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from smtui.core.awsprofile import profile_region
from smtui.core.config import resolve_config
from smtui.core.draft import Draft, check_draft
from smtui.core.origin import Source
from smtui.core.overrides import Overrides
from smtui.core.request import build_request
from tests.conftest import JOBBER_CONFIG, WriteConfig

AWS_CONFIG = """\
[default]
region = ap-northeast-1

[profile dev]
region = eu-west-1

[profile bare]
output = json

[dev]
region = us-west-2
"""
"""`[dev]` without `profile` is not the dev profile for botocore: it is ignored."""


@pytest.fixture
def aws_config(tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "home" / "aws-config"
    path.write_text(AWS_CONFIG)
    return {"AWS_CONFIG_FILE": str(path)}


@pytest.mark.parametrize("profile", [None, "dev", "bare", "missing"])
def test_the_region_read_is_the_one_botocore_reads(
    aws_config: dict[str, str], monkeypatch: pytest.MonkeyPatch, profile: str | None
) -> None:
    import botocore.session

    monkeypatch.setenv("AWS_CONFIG_FILE", aws_config["AWS_CONFIG_FILE"])
    found = profile_region(profile, aws_config)
    try:
        expected = botocore.session.Session(profile=profile).get_config_variable("region")
    except Exception:  # botocore refuses a profile the file lacks
        expected = None
    assert (found.region if found else None) == expected


def without_region(write_config: WriteConfig, extra: str = "") -> Path:
    return write_config(
        JOBBER_CONFIG.replace("  region: us-east-1\n  entry-point", "  entry-point") + extra
    )


def test_precedence_flag_env_profile_file(
    write_config: WriteConfig, aws_config: dict[str, str]
) -> None:
    path = write_config(JOBBER_CONFIG)  # the file says us-east-1
    spec = resolve_config(path, None, aws_config)
    assert spec.region == "ap-northeast-1" and spec.origin("region").source is Source.PROFILE
    assert "aws-config [default]" in str(spec.origin("region"))
    env = aws_config | {"AWS_REGION": "ca-central-1"}
    assert resolve_config(path, None, env).region == "ca-central-1"
    flag = Overrides(values={"region": ("sa-east-1", "--region")})
    assert resolve_config(path, flag, env).region == "sa-east-1"
    assert resolve_config(path, None, {}).region == "us-east-1"  # no AWS config: the file
    dev = Overrides(values={"profile": ("dev", "--profile")})
    assert resolve_config(path, dev, aws_config).region == "eu-west-1"
    bare = Overrides(values={"profile": ("bare", "--profile")})
    assert resolve_config(path, bare, aws_config).region == "us-east-1"


def test_the_local_backend_ignores_profiles(
    write_config: WriteConfig, aws_config: dict[str, str]
) -> None:
    path = write_config(JOBBER_CONFIG + "  backend: local\n")
    assert resolve_config(path, None, aws_config).region == "us-east-1"


def test_the_profiles_region_reaches_the_toolkit(
    write_config: WriteConfig, aws_config: dict[str, str]
) -> None:
    spec = resolve_config(without_region(write_config), None, aws_config)
    request = build_request(spec, "job-20260102-030405-006", "img")
    assert request["HyperParameters"]["sagemaker_region"] == json.dumps("ap-northeast-1")


def test_the_form_resolves_the_profiles_region_for_the_image_shorthand(
    write_config: WriteConfig, aws_config: dict[str, str]
) -> None:
    text = JOBBER_CONFIG.replace(
        "  image-uri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/my-training:latest\n",
        '  image: {framework: pytorch, version: "2.5", py-version: py311}\n',
    )
    path = write_config(text.replace("  region: us-east-1\n  entry-point", "  entry-point"))
    spec = resolve_config(path, None, aws_config)
    checked = check_draft(path, Draft.from_spec(spec), spec, None, os.environ | aws_config)
    assert checked.ok, checked.problems
    assert checked.spec is not None and checked.spec.region == "ap-northeast-1"


def test_a_bad_region_in_the_profile_is_named(write_config: WriteConfig, tmp_path: Path) -> None:
    bad = tmp_path / "home" / "aws-config"
    bad.write_text("[default]\nregion = Tokyo\n")
    with pytest.raises(Exception, match=r"aws-config \[default\]"):
        resolve_config(without_region(write_config), None, {"AWS_CONFIG_FILE": str(bad)})
