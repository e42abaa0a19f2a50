"""smtui's hyperparameters read by the sagemaker-training toolkit's own code.

The toolkit in every AWS framework image reads `hyperparameters.json` with
`environment.read_hyperparameters` (each value json-decoded, else kept raw), keeps its
`sagemaker_*` entries apart with `mapping.split_by_criteria`, and builds the entry point's
argv with `mapping.to_cmd_args`. These tests run exactly those functions on the request smtui
builds and compare with smtui's argv preview and with what the user wrote.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from smtui.core.apimodel import check_request
from smtui.core.config import resolve_config
from smtui.core.hyperparams import plain_value
from smtui.core.jobs import TrainingJob
from smtui.core.overrides import Overrides
from smtui.core.request import build_request, entry_point_argv
from tests.conftest import JOBBER_CONFIG, WriteConfig

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-training:latest"
JOB = "custom-run-20260102-030405-006"

TRICKY = """\
    version: "1.10"
    flag: "true"
    blob: '{"a": 1}'
    nothing: "null"
    words: "two words"
    unicode: "héllo ☃"
    number: 1.50
    whole: 3
    yes-no: true
    layers: [1, 2]
    opts: {b: 2, a: 1}
    empty: ""
"""
"""Values that change on the way to the script when sent unencoded (as smtui once did)."""


def toolkit_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hps: dict[str, str]) -> Any:
    """(the script's hyperparameters, the toolkit's own, the argv) as the toolkit gets them."""
    from sagemaker_training import environment, mapping, params

    file = tmp_path / "hyperparameters.json"
    file.write_text(json.dumps(hps))  # SageMaker writes the request's map as it is
    monkeypatch.setattr(environment, "hyperparameters_file_dir", str(file))
    decoded = environment.read_hyperparameters()
    split = mapping.split_by_criteria(
        decoded, keys=params.SAGEMAKER_HYPERPARAMETERS, prefix=params.SAGEMAKER_PREFIX
    )
    return split.excluded, split.included, mapping.to_cmd_args(split.excluded)


def tricky_request(write_config: WriteConfig, launch: str = "script") -> tuple[Any, Any]:
    text = JOBBER_CONFIG.replace('    epochs: "5"\n    batch-size: "64"\n', TRICKY)
    path = write_config(text + f"  launch: {launch}\n")
    spec = resolve_config(path, Overrides(params=["from-flag=0.10"]), environ={})
    request = build_request(spec, JOB, IMAGE)
    assert check_request(request) == []  # and botocore's model takes it as it is
    return spec, request


def test_the_toolkit_decodes_exactly_what_was_written(
    write_config: WriteConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec, request = tricky_request(write_config)
    user, _toolkit, _argv = toolkit_read(tmp_path, monkeypatch, request["HyperParameters"])
    assert user == {
        "version": "1.10",
        "flag": "true",
        "blob": '{"a": 1}',
        "nothing": "null",
        "words": "two words",
        "unicode": "héllo ☃",
        "number": 1.5,
        "whole": 3,
        "yes_no": True,
        "layers": [1, 2],
        "opts": {"b": 2, "a": 1},
        "empty": "",
        "from_flag": "0.10",  # a flag's value is text, passed as typed
    }


def test_the_argv_preview_is_what_the_toolkit_renders(
    write_config: WriteConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec, request = tricky_request(write_config)
    _user, _toolkit, argv = toolkit_read(tmp_path, monkeypatch, request["HyperParameters"])
    assert entry_point_argv(spec) == argv
    rendered = dict(zip(argv[0::2], argv[1::2], strict=True))
    assert rendered["--version"] == "1.10"
    assert rendered["--flag"] == "true"
    assert rendered["--blob"] == '{"a": 1}'
    assert rendered["--nothing"] == "null"
    assert rendered["--unicode"] == "héllo ☃"
    assert rendered["--opts"] == "a=1,b=2"


def test_the_toolkits_own_entries_decode_to_the_sdks_types(
    write_config: WriteConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _spec, request = tricky_request(write_config)
    hps = request["HyperParameters"]
    # Framework attach() does json.loads(hyperparameters["sagemaker_program"]).
    assert json.loads(hps["sagemaker_program"]) == "train.py"
    _user, toolkit, _argv = toolkit_read(tmp_path, monkeypatch, hps)
    assert toolkit["sagemaker_program"] == "train.py"
    assert toolkit["sagemaker_container_log_level"] == 20
    assert toolkit["sagemaker_job_name"] == JOB
    assert toolkit["sagemaker_region"] == "us-east-1"
    assert toolkit["sagemaker_submit_directory"].endswith("/sourcedir.tar.gz")


def test_launch_command_sends_plain_text(write_config: WriteConfig) -> None:
    spec, request = tricky_request(write_config, launch="command")
    hps = request["HyperParameters"]
    assert hps["version"] == "1.10" and hps["flag"] == "true" and hps["nothing"] == "null"
    args = request["AlgorithmSpecification"]["ContainerArguments"]
    rendered = dict(zip(args[0::2], args[1::2], strict=True))
    assert rendered["--version"] == "1.10"  # no toolkit: nothing decodes it to 1.1
    assert rendered["--blob"] == '{"a": 1}'
    assert args == entry_point_argv(spec)


def test_described_values_read_as_written_for_new_and_old_jobs(write_config: WriteConfig) -> None:
    _spec, request = tricky_request(write_config)
    described = dict(request, TrainingJobStatus="Completed", CreationTime="2026-01-02T03:04:05Z")
    params = TrainingJob.from_api(described).params
    assert params["version"] == "1.10" and params["nothing"] == "null"
    assert params["layers"] == "[1, 2]" and params["sagemaker_program"] == "train.py"
    # A job whose values were sent unencoded reads as it was sent.
    for old in ("1.10", "true", "train.py", '{"a": 1}', "null", ""):
        assert plain_value(old) == old
