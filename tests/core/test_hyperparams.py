"""Hyperparameter normalisation, encoding, limits, secrets and the toolkit's argv."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smtui.core.config import resolve_config
from smtui.core.hyperparams import (
    Hyperparameter,
    RawParam,
    check_limits,
    encode_value,
    looks_secret,
    merge_layers,
    normalise_key,
    render_argv,
    secret_warnings,
)
from smtui.core.origin import Origin
from tests.conftest import JOBBER_CONFIG, WriteConfig

FILE = Origin.default("test")
FLAG = Origin.flag("--param")
names = st.text(alphabet="abcxyz_-0123456789", min_size=1, max_size=20)


@given(names)
def test_normalise_replaces_every_dash_and_is_idempotent(key: str) -> None:
    once = normalise_key(key)
    assert "-" not in once
    assert normalise_key(once) == once
    assert len(once) == len(key)
    assert once.replace("_", "-") == key.replace("_", "-")


@pytest.mark.parametrize(
    ("value", "sent"),
    [
        ("64", "64"),
        ("text with spaces", "text with spaces"),
        (64, "64"),
        (0.001, "0.001"),
        (True, "true"),
        (False, "false"),
        ([1, 2], "[1, 2]"),
        ({"a": 1}, '{"a": 1}'),
        (dt.date(2024, 1, 2), "2024-01-02"),
    ],
)
def test_encode_value(value: object, sent: str) -> None:
    assert encode_value(value) == sent


def test_encode_refuses_empty_values() -> None:
    with pytest.raises(ValueError, match="no value"):
        encode_value(None)


def test_flag_overrides_the_config_key_it_names_after_normalising() -> None:
    merged, problems = merge_layers(
        [
            [RawParam("batch-size", 32, FILE), RawParam("epochs", 5, FILE)],
            [RawParam("batch_size", "128", FLAG)],
        ]
    )
    assert problems == []
    assert {p.name: (p.value, p.origin) for p in merged} == {
        "batch_size": ("128", FLAG),
        "epochs": ("5", FILE),
    }


def test_two_keys_normalising_alike_in_one_layer_collide() -> None:
    merged, problems = merge_layers(
        [[RawParam("batch-size", 1, FILE), RawParam("batch_size", 2, FILE)]]
    )
    assert len(problems) == 1
    assert "both normalise to 'batch_size'" in problems[0].message
    assert [p.written for p in merged] == ["batch-size"]


def test_limits_count_keys_and_lengths() -> None:
    many = [Hyperparameter(f"p{i}", "1", FILE) for i in range(96)]
    reserved = {f"sagemaker_{i}": "x" for i in range(5)}
    problems = check_limits(many, reserved)
    assert any("at most 100" in p.message for p in problems)
    assert check_limits(many[:95], reserved) == []
    long_key = Hyperparameter("k" * 257, "1", FILE)
    long_value = Hyperparameter("k", "v" * 2501, FILE)
    assert len(check_limits([long_key, long_value], {})) == 2
    assert check_limits([Hyperparameter("k" * 256, "v" * 2500, FILE)], {}, script=False) == []
    # Script mode sends the value JSON-encoded: the two quotes count against the limit.
    assert check_limits([Hyperparameter("k", "v" * 2498, FILE)], {}) == []
    assert len(check_limits([Hyperparameter("k", "v" * 2499, FILE)], {})) == 1


def test_params_may_not_override_smtuis_own_keys() -> None:
    problems = check_limits(
        [Hyperparameter("sagemaker_program", "x.py", FILE)], {"sagemaker_program": "t.py"}
    )
    assert "set by smtui" in problems[0].message


@pytest.mark.parametrize(
    "name",
    [
        "password",
        "db_password",
        "api_key",
        "apikey",
        "hf_token",
        "wandb_key",
        "aws_secret_access_key",
    ],
)
def test_secret_looking_names_are_warned_about(name: str) -> None:
    assert looks_secret(name)
    assert secret_warnings([Hyperparameter(name, "x", FILE)])


@pytest.mark.parametrize(
    "name", ["epochs", "key_dim", "batch_size", "tokenizer_name", "monkey", "dotted.key"]
)
def test_ordinary_names_are_not_secret(name: str) -> None:
    assert not looks_secret(name)


def test_argv_is_sorted_and_decoded_like_the_training_toolkit() -> None:
    argv = render_argv(
        {
            "lr": "1e-3",
            "epochs": "5",
            "use_amp": "true",
            "layers": "[1, 2]",
            "opts": '{"b": 2, "a": 1}',
            "n": "3",
            "name": "resnet",
            "none": "null",
            "sagemaker_program": "train.py",
            "sagemaker_mpi_enabled": "true",
            "_tuning_objective_metric": "loss",
        }
    )
    assert argv == [
        "--epochs", "5",
        "--layers", "[1, 2]",
        "--lr", "0.001",
        "-n", "3",
        "--name", "resnet",
        "--none", "",
        "--opts", "a=1,b=2",
        "--use_amp", "True",
    ]  # fmt: skip


@given(
    st.dictionaries(names.filter(lambda k: not k.startswith("sagemaker_")), st.text(max_size=10))
)
def test_argv_has_one_flag_value_pair_per_key_in_sorted_order(hps: dict[str, str]) -> None:
    argv = render_argv(hps)
    assert len(argv) == 2 * len(hps)
    assert argv[0::2] == [f"-{k}" if len(k) == 1 else f"--{k}" for k in sorted(hps)]
    for key, value in zip(sorted(hps), argv[1::2], strict=True):
        if not _is_json(hps[key]):
            assert value == hps[key]


def _is_json(value: str) -> bool:
    try:
        json.loads(value)
    except ValueError:
        return False
    return True


@given(st.one_of(st.integers(), st.booleans(), st.lists(st.integers(), max_size=3)))
def test_encoded_values_reach_the_script_as_python_prints_them(value: object) -> None:
    assert render_argv({"v": encode_value(value)}) == ["-v", str(value)]


@given(st.text(alphabet="abc xyz/.:", min_size=1, max_size=20).filter(lambda v: not _is_json(v)))
def test_plain_strings_reach_the_script_unchanged(value: str) -> None:
    assert render_argv({"value": value}) == ["--value", value]


def test_names_the_toolkit_keeps_are_warned_about(write_config: WriteConfig) -> None:
    path = write_config(JOBBER_CONFIG + '    sagemaker-extra: "1"\n')
    spec = resolve_config(path, environ={})
    assert any("'sagemaker-extra' starts with sagemaker_" in w for w in spec.warnings)
    assert "--sagemaker_extra" not in render_argv({p.name: p.encoded for p in spec.params})
