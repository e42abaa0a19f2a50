"""smtui's environment variables are checked before any command runs."""

from __future__ import annotations

import pytest

from smtui.core.environment import MAX_ATTEMPTS, environment_problems


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("SMTUI_BACKEND", "gcp", "Vertex AI is not supported"),
        ("SMTUI_BACKEND", "azure", "use aws or local"),
        ("SMTUI_LOCAL_STOP_GRACE", "abc", "not a number of seconds"),
        ("SMTUI_LOCAL_STOP_GRACE", "-1", "≥ 0"),
        ("SMTUI_LOCAL_STOP_GRACE", "nan", "≥ 0"),
        ("SMTUI_LOCAL_CHECKPOINT_EVERY", "2s", "not a number of seconds"),
        ("AWS_MAX_ATTEMPTS", "10^23", f"from 1 to {MAX_ATTEMPTS}"),
        ("AWS_MAX_ATTEMPTS", "1" + "0" * 23, f"from 1 to {MAX_ATTEMPTS}"),
        ("AWS_MAX_ATTEMPTS", "0", "from 1"),
        ("AWS_MAX_ATTEMPTS", "٣", "from 1"),
        ("AWS_RETRY_MODE", "fast", "standard"),
    ],
)
def test_bad_values_are_named(name: str, value: str, words: str) -> None:
    (problem,) = environment_problems({name: value})
    assert problem.key == name and words in problem.message


def test_good_values_pass() -> None:
    good = {
        "SMTUI_BACKEND": "local",
        "SMTUI_LOCAL_STOP_GRACE": "0.5",
        "AWS_MAX_ATTEMPTS": "10",
        "AWS_RETRY_MODE": "adaptive",
    }
    assert environment_problems(good) == []
