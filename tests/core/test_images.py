"""Image shorthands resolved with the SageMaker SDK's bundled tables (no network)."""

from __future__ import annotations

import pytest

from smtui.core.config import resolve_config
from smtui.core.errors import ConfigError
from smtui.core.images import LOCAL_IMAGE, resolve_image_uri
from tests.conftest import JOBBER_CONFIG, WriteConfig

SHORTHAND = '  image: {framework: pytorch, version: "2.5", py-version: py311}\n'


def config_with_image(write_config: WriteConfig, image: str, region: str = "us-east-1") -> str:
    text = JOBBER_CONFIG.replace(
        "  image-uri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/my-training:latest\n", image
    )
    return text.replace("region: us-east-1", f"region: {region}")


def test_shorthand_resolves_to_the_framework_image(write_config: WriteConfig) -> None:
    spec = resolve_config(write_config(config_with_image(write_config, SHORTHAND)), environ={})
    assert (
        resolve_image_uri(spec)
        == "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.5-gpu-py311"
    )
    spec.instance_type = "ml.c5.xlarge"
    assert resolve_image_uri(spec).endswith("pytorch-training:2.5-cpu-py311")


def test_unknown_versions_are_config_errors(write_config: WriteConfig) -> None:
    image = '  image: {framework: pytorch, version: "0.0.1", py-version: py311}\n'
    spec = resolve_config(write_config(config_with_image(write_config, image)), environ={})
    with pytest.raises(ConfigError) as info:
        resolve_image_uri(spec)
    assert "submit.image: cannot resolve pytorch 0.0.1" in str(info.value)
    assert ":13:" in str(info.value)


def test_a_missing_image_on_the_local_backend_is_a_placeholder(write_config: WriteConfig) -> None:
    spec = resolve_config(
        write_config(config_with_image(write_config, "  backend: local\n")), environ={}
    )
    assert resolve_image_uri(spec) == LOCAL_IMAGE


def test_a_base_framework_reaches_huggingface_images(write_config: WriteConfig) -> None:
    image = (
        '  image: {framework: huggingface, version: "4.28.1", py-version: py310, '
        'base-framework: "pytorch2.0.0"}\n'
    )
    spec = resolve_config(write_config(config_with_image(write_config, image)), environ={})
    assert resolve_image_uri(spec) == (
        "763104351884.dkr.ecr.us-east-1.amazonaws.com/"
        "huggingface-pytorch-training:2.0.0-transformers4.28.1-gpu-py310-cu118-ubuntu20.04"
    )
