"""The resubmit edit: what changed, what was removed, and every problem, as the user types."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from smtui.core.edits import edit_job, params_text
from smtui.core.hyperparams import normalise_key, render_argv

JOB = {"batch_size": "64", "epochs": "5", "sagemaker_program": "train.py"}
"""A job submitted before values were JSON-encoded: its values are plain."""
SCRIPT_JOB = {"version": '"1.10"', "flag": '"true"', "sagemaker_program": '"train.py"'}
"""A job submitted with script mode's JSON-encoded values."""


def edit(text: str, instance_type: str = "ml.g5.xlarge", count: str = "1") -> object:
    return edit_job(JOB, text, instance_type, count, "ml.g5.xlarge", 1)


def test_params_text_hides_the_toolkit_keys() -> None:
    assert params_text(JOB) == "batch_size=64\nepochs=5"


def test_unchanged_lines_change_nothing() -> None:
    result = edit_job(JOB, "batch_size=64\nepochs=5", "ml.g5.xlarge", "1", "ml.g5.xlarge", 1)
    assert result.ok and result.params == {} and result.removed == []
    assert result.instance_type is None and result.instance_count is None
    assert result.argv == ["--batch_size", "64", "--epochs", "5"]
    assert [r.origin for r in result.rows] == ["job", "job"]


def test_edited_added_removed_and_normalised() -> None:
    result = edit_job(
        JOB, "batch-size=128\n# a comment\n\nlearning-rate = 0.1", "ml.p4d.24xlarge", "2",
        "ml.g5.xlarge", 1,
    )  # fmt: skip
    assert result.ok, result.problems
    assert result.params == {"batch-size": "128", "learning-rate": "0.1"}
    assert result.removed == ["epochs"]
    assert [(r.written, r.name, r.origin) for r in result.rows] == [
        ("batch-size", "batch_size", "edited"),
        ("learning-rate", "learning_rate", "added"),
    ]
    assert result.argv == ["--batch_size", "128", "--learning_rate", "0.1"]
    assert result.instance_type == "ml.p4d.24xlarge" and result.instance_count == 2


def test_problems_are_named() -> None:
    result = edit_job(
        JOB, "batch-size=1\nbatch_size=2\nno equals sign\nsagemaker_program=x.py", "ml.g5.huge",
        "0", "ml.g5.xlarge", 1,
    )  # fmt: skip
    text = "\n".join(result.problems)
    assert not result.ok
    assert "line 2: 'batch_size' and 'batch-size' both normalise to 'batch_size'" in text
    assert "line 3: 'no equals sign' is not name=value" in text
    assert "is set by smtui itself" in text
    assert "'ml.g5.huge' is not a known SageMaker training instance type" in text
    assert "instance count: '0' is not a whole number ≥ 1" in text


def test_limits_are_checked() -> None:
    many = "\n".join(f"p{i}=1" for i in range(100))
    assert any("at most 100" in p for p in edit_job(JOB, many, "", "1", "x", 1).problems)
    long_value = "v=" + "x" * 2501
    assert any("limit is 2500" in p for p in edit_job(JOB, long_value, "", "1", "x", 1).problems)


names = st.text(alphabet="abcdefgh-_", min_size=1, max_size=8).filter(lambda s: s.strip("-_"))
values = st.text(alphabet="0123456789abc.", min_size=1, max_size=6)


@given(st.dictionaries(names, values, max_size=8))
def test_argv_is_what_the_toolkit_renders_for_the_normalised_names(
    params: dict[str, str],
) -> None:
    normalised: dict[str, str] = {}
    for written, value in params.items():
        normalised.setdefault(normalise_key(written), value)
    lines = "\n".join(f"{k}={v}" for k, v in params.items())
    result = edit_job(SCRIPT_JOB, lines, "", "1", "ml.g5.xlarge", 1)
    collided = len(normalised) < len(params)
    assert result.ok != collided or any("both normalise" in p for p in result.problems)
    if not collided:
        # Script mode sends typed values JSON-encoded: the script gets them as typed.
        assert result.argv == render_argv({k: json.dumps(v) for k, v in normalised.items()})
        assert result.argv[1::2] == [normalised[k] for k in sorted(normalised)]
        assert {r.name for r in result.rows} == set(normalised)


def test_encoded_jobs_are_edited_as_written_and_resent_encoded() -> None:
    assert params_text(SCRIPT_JOB) == "flag=true\nversion=1.10"
    unchanged = edit_job(SCRIPT_JOB, "flag=true\nversion=1.10", "", "1", "x", 1)
    assert unchanged.ok and unchanged.params == {}
    assert unchanged.argv == ["--flag", "true", "--version", "1.10"]
    edited = edit_job(SCRIPT_JOB, "flag=true\nversion=2.00", "", "1", "x", 1)
    assert edited.params == {"version": "2.00"}
    assert edited.argv == ["--flag", "true", "--version", "2.00"]


def test_command_jobs_pass_values_as_they_are() -> None:
    command_job = {"version": "1.10"}  # no sagemaker_program: launch: command
    assert edit_job(command_job, "version=1.10", "", "1", "x", 1).argv == ["--version", "1.10"]
