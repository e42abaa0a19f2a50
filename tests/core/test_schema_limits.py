"""One source for the API's limits: botocore's model.

The config schema no longer copies what the model says (how many channels, tags,
environment variables and metrics; their names and lengths; the bounds of retry attempts,
pending time and keep-alive; the role ARN's pattern). Each test here reads the limit from
the model and shows the config at the limit accepted and one past it refused, on the key
and the line that caused it. A hand copy put back into the schema that disagrees with the
model fails here, whichever way it drifts; the few limits smtui still writes down are
pinned to the model below.
"""

from __future__ import annotations

import re
from pathlib import Path

from smtui.core import hyperparams, validate
from smtui.core.apimodel import member_shape, refusals
from smtui.core.config import resolve_with_problems
from smtui.core.request import make_job_name
from smtui.core.schema import JOB_BASE_MAX, JOB_NAME_PATTERN
from tests.conftest import JOBBER_CONFIG, WriteConfig


def limit(*names: str, bound: str = "max") -> int:
    """A bound of a member of CreateTrainingJob's input, as botocore's model has it."""
    value = member_shape(*names).metadata[bound]
    assert isinstance(value, int)
    return value


def problems(path: Path) -> list[str]:
    _, found = resolve_with_problems(path, None, {})
    return [str(p) for p in found]


def refused_at(path: Path, key: str, marker: str, *words: str) -> None:
    """Refused at `key`, on the first line of the file containing `marker`."""
    lines = path.read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if marker in text)
    found = problems(path)
    hits = [p for p in found if p.startswith(f"{path}:{line}: {key}: ")]
    assert hits, (key, line, found)
    for word in words:
        assert any(word in p for p in hits), (word, hits)


def mapping(key: str, entries: dict[str, str]) -> str:
    return f"  {key}:\n" + "".join(f"    {k}: '{v}'\n" for k, v in entries.items())


def test_how_many_channels_and_their_names(write_config: WriteConfig) -> None:
    most = limit("InputDataConfig")
    channels = {f"c{i}": f"data/c{i}/" for i in range(most)}
    assert problems(write_config(JOBBER_CONFIG + mapping("channels", channels))) == []
    channels["one-more"] = "data/more/"
    path = write_config(JOBBER_CONFIG + mapping("channels", channels))
    refused_at(path, "submit.channels", "channels:", f"the limit is {most}")

    longest = member_shape("InputDataConfig").member.members["ChannelName"].metadata["max"]
    name = "n" * longest
    assert problems(write_config(JOBBER_CONFIG + mapping("channels", {name: "data/"}))) == []
    path = write_config(JOBBER_CONFIG + mapping("channels", {name + "n": "data/"}))
    refused_at(path, f"submit.channels.{name}n", name, f"the limit is {longest}")
    path = write_config(JOBBER_CONFIG + mapping("channels", {"a b": "data/"}))
    refused_at(path, "submit.channels.a b", "a b", "ChannelName", "pattern")


def test_how_many_tags_counting_smtuis_own(write_config: WriteConfig) -> None:
    most = limit("Tags")
    tags = {f"t{i}": "x" for i in range(most - 1)}  # smtui adds smtui:config
    assert problems(write_config(JOBBER_CONFIG + mapping("tags", tags))) == []
    tags["one-more"] = "x"
    path = write_config(JOBBER_CONFIG + mapping("tags", tags))
    refused_at(path, "submit.tags", "tags:", f"the limit is {most}", "smtui:config")


def test_tag_key_and_value_lengths(write_config: WriteConfig) -> None:
    tag = member_shape("Tags").member
    key_max, value_max = tag.members["Key"].metadata["max"], tag.members["Value"].metadata["max"]
    fine = {"k" * key_max: "v" * value_max}
    assert problems(write_config(JOBBER_CONFIG + mapping("tags", fine))) == []
    path = write_config(JOBBER_CONFIG + mapping("tags", {"k" * (key_max + 1): "v"}))
    refused_at(path, f"submit.tags.{'k' * (key_max + 1)}", "kkk", f"the limit is {key_max}")
    path = write_config(JOBBER_CONFIG + mapping("tags", {"long": "v" * (value_max + 1)}))
    refused_at(path, "submit.tags.long", "long:", f"the limit is {value_max}")
    # What the model cannot know stays in the schema.
    path = write_config(JOBBER_CONFIG + mapping("tags", {"aws:team": "v"}))
    assert any("reserved by AWS" in p for p in problems(path))


def test_how_many_environment_variables_and_their_names(write_config: WriteConfig) -> None:
    most = limit("Environment")
    env = {f"V{i}": "x" for i in range(most)}
    assert problems(write_config(JOBBER_CONFIG + mapping("environment", env))) == []
    env["ONE_MORE"] = "x"
    path = write_config(JOBBER_CONFIG + mapping("environment", env))
    refused_at(path, "submit.environment", "environment:", f"the limit is {most}")
    path = write_config(JOBBER_CONFIG + mapping("environment", {"MY-VAR": "x"}))
    refused_at(path, "submit.environment.MY-VAR", "MY-VAR", "Environment[MY-VAR]", "pattern")
    name_max = member_shape("Environment").key.metadata["max"]
    long = "V" * (name_max + 1)
    path = write_config(JOBBER_CONFIG + mapping("environment", {long: "x"}))
    refused_at(path, f"submit.environment.{long}", long, f"the limit is {name_max}")


def test_how_many_metric_definitions(write_config: WriteConfig) -> None:
    most = limit("AlgorithmSpecification", "MetricDefinitions")

    def metrics(n: int) -> str:
        return "  metric-definitions:\n" + "".join(
            f"    - {{name: m{i}, regex: 'm{i}=(.*)'}}\n" for i in range(n)
        )

    assert problems(write_config(JOBBER_CONFIG + metrics(most))) == []
    path = write_config(JOBBER_CONFIG + metrics(most + 1))
    refused_at(path, "submit.metric-definitions", "metric-definitions:", f"the limit is {most}")


def test_numeric_bounds_are_the_models(write_config: WriteConfig) -> None:
    for key, names in (
        ("retry-attempts", ("RetryStrategy", "MaximumRetryAttempts")),
        ("max-pending-seconds", ("StoppingCondition", "MaxPendingTimeInSeconds")),
        ("keep-alive-seconds", ("ResourceConfig", "KeepAlivePeriodInSeconds")),
    ):
        low, high = limit(*names, bound="min"), limit(*names)
        for fine in (low, high):
            assert problems(write_config(JOBBER_CONFIG + f"  {key}: {fine}\n")) == [], key
        for bad, words in ((low - 1, f"at least {low}"), (high + 1, f"at most {high}")):
            path = write_config(JOBBER_CONFIG + f"  {key}: {bad}\n")
            refused_at(path, f"submit.{key}", f"{key}:", words)


def test_the_role_arn_is_checked_with_the_models_pattern(write_config: WriteConfig) -> None:
    pattern = member_shape("RoleArn").metadata["pattern"]
    path = write_config(JOBBER_CONFIG.replace("role/SageMakerExecutionRole", "role/a:b"))
    refused_at(path, "submit.role-arn", "role-arn:", "not an IAM role ARN", pattern)
    fine = JOBBER_CONFIG.replace("role/SageMakerExecutionRole", "role/service-role/a+b=c,d.e@f")
    assert problems(write_config(fine)) == []


def test_the_limits_smtui_still_writes_down_are_the_models() -> None:
    name = member_shape("TrainingJobName")
    suffix = len(make_job_name(""))  # "-YYYYMMDD-HHMMSS-mmm"
    assert JOB_BASE_MAX + suffix == name.metadata["max"]
    assert refusals(name, make_job_name("a" * JOB_BASE_MAX)) == []
    assert refusals(name, make_job_name("a" * (JOB_BASE_MAX + 1)))
    assert re.sub(r"\{0,\d+\}$", "*", name.metadata["pattern"]) == JOB_NAME_PATTERN

    params = member_shape("HyperParameters")
    assert hyperparams.MAX_KEYS == params.metadata["max"]
    assert hyperparams.MAX_KEY_CHARS == params.key.metadata["max"]
    assert hyperparams.MAX_VALUE_CHARS == params.value.metadata["max"]
    argument = member_shape("AlgorithmSpecification", "ContainerArguments").member
    assert validate._ARG_MAX == argument.metadata["max"]
