"""Regexes that can backtrack exponentially are spotted before a submit."""

from __future__ import annotations

import pytest

from smtui.core.config import resolve_config
from smtui.core.regexrisk import metric_warnings, nested_quantifier
from tests.conftest import WriteConfig


@pytest.mark.parametrize(
    "pattern", [r"(a+)+$", r"(a|a)*$", r"(.*)*", r"(.*a){25}$", r"((ab)*)+", r"(\w+\s?)*$"]
)
def test_nested_quantifiers_are_spotted(pattern: str) -> None:
    assert nested_quantifier(pattern) is not None


@pytest.mark.parametrize(
    "pattern",
    [
        r"loss=([0-9.]+)",
        r"epoch (\d+) loss: (\S+)",
        r"(?:foo|bar)*x",
        r"([0-9]+(\.[0-9]+)?)",
        r"train_loss=([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)",
        r"(unclosed",  # not judged here: the config check reports it
    ],
)
def test_ordinary_metric_regexes_pass(pattern: str) -> None:
    assert nested_quantifier(pattern) is None


def test_the_warning_names_the_metric_and_where_it_came_from() -> None:
    (warning,) = metric_warnings([("loss", r"(a+)+"), ("acc", r"acc=(\d+)")], "jobber.yml:9")
    assert "metric 'loss'" in warning and "jobber.yml:9" in warning and "(a+)+" in warning


def test_submit_warns_about_a_nested_quantifier_in_the_config(write_config: WriteConfig) -> None:
    from tests.conftest import JOBBER_CONFIG

    path = write_config(
        JOBBER_CONFIG + "  metric-definitions:\n    - {name: loss, regex: '(a+)+ loss=(\\S+)'}\n"
    )
    spec = resolve_config(path)
    (warning,) = [w for w in spec.warnings if "metric 'loss'" in w]
    assert "jobber.yml" in warning and "quantifier" in warning
