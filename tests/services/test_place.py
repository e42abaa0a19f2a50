"""Another profile or region: the profiles smtui offers are those botocore finds, and a
move to a profile or region that does not exist is refused before anything is built."""

from __future__ import annotations

import os
from pathlib import Path

import botocore.session
import pytest

from smtui.core.awsprofile import profile_names
from smtui.core.errors import UsageError
from smtui.services.aws.regions import sagemaker_regions
from smtui.services.factory import BackendSettings, moved

CONFIG = """\
[default]
region = us-east-1

[profile dev]
region = eu-west-1

[profile no-region]
output = json

[sso-session corp]
sso_region = us-east-1

[services local-s3]
s3 =
  endpoint_url = http://localhost:4566
"""
CREDENTIALS = """\
[dev]
aws_access_key_id = a
aws_secret_access_key = b

[ci-only]
aws_access_key_id = c
aws_secret_access_key = d
"""


@pytest.fixture
def aws_files() -> None:
    Path(os.environ["AWS_CONFIG_FILE"]).write_text(CONFIG)
    Path(os.environ["AWS_SHARED_CREDENTIALS_FILE"]).write_text(CREDENTIALS)


def test_the_profiles_are_those_botocore_finds(aws_files: None) -> None:
    ours = profile_names(os.environ)
    assert sorted(ours) == sorted(botocore.session.Session().available_profiles)
    assert ours[0] == "default"
    assert "corp" not in ours and "local-s3" not in ours


def test_no_files_no_profiles() -> None:
    assert profile_names(os.environ) == []


def test_a_profile_brings_its_own_region_else_keeps_the_one_in_use(aws_files: None) -> None:
    here = BackendSettings("aws", None, "us-west-2", readonly=True)
    assert moved(here, "dev", None, os.environ) == BackendSettings(
        "aws", "dev", "eu-west-1", readonly=True
    )
    assert moved(here, "no-region", None, os.environ).region == "us-west-2"
    assert moved(here, "ci-only", "ap-south-1", os.environ).region == "ap-south-1"


def test_a_profile_the_files_do_not_hold_is_refused(aws_files: None) -> None:
    with pytest.raises(UsageError) as caught:
        moved(BackendSettings("aws"), "prdo", None, os.environ)
    message = str(caught.value)
    assert message.startswith(f"no AWS profile 'prdo' in {os.environ['AWS_CONFIG_FILE']} or ")
    assert message.endswith(": one of default, ci-only, dev, no-region")


def test_a_region_botocore_has_no_sagemaker_in_is_refused() -> None:
    assert "eu-west-1" in sagemaker_regions() and "cn-north-1" in sagemaker_regions()
    with pytest.raises(UsageError, match=r"knows no SageMaker in 'eu-wset-1' \(did you mean"):
        moved(BackendSettings("aws"), None, "eu-wset-1", os.environ)
    with pytest.raises(UsageError, match="'Ireland' is not an AWS region name"):
        moved(BackendSettings("aws"), None, "Ireland", os.environ)
    # A custom endpoint (moto, LocalStack) serves whatever region it is told.
    local = BackendSettings("aws", endpoint_url="http://127.0.0.1:5000")
    assert moved(local, None, "xx-test-9", os.environ).region == "xx-test-9"


def test_sagemaker_regions_are_botocores() -> None:
    session = botocore.session.get_session()
    assert set(session.get_available_regions("sagemaker")) <= set(sagemaker_regions())
    assert set(sagemaker_regions()) <= {
        region
        for partition in session.get_available_partitions()
        for region in session.get_available_regions("ec2", partition)
    }
