"""The request checked against botocore's loaded model: each constraint the API enforces,
refused with the config key and line that caused it, before anything is sent."""

from __future__ import annotations

from pathlib import Path

import pytest

from smtui.core.apimodel import check_request
from smtui.core.config import resolve_with_problems
from smtui.core.javaregex import compile_java, java_length, translate
from smtui.core.overrides import Overrides
from tests.conftest import JOBBER_CONFIG, WriteConfig


def problems(path: Path, overrides: Overrides | None = None) -> list[str]:
    _, found = resolve_with_problems(path, overrides, {})
    return [str(p) for p in found]


def line_of(path: Path, text: str) -> int:
    """The 1-based line of the first line of the file containing `text`."""
    lines = path.read_text().splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)


def refused(path: Path, key: str, marker: str, *words: str) -> None:
    """The config at `path` is refused at `key`, on the line containing `marker`."""
    found = problems(path)
    where = f"{path}:{line_of(path, marker)}: {key}: "
    hits = [p for p in found if p.startswith(where)]
    assert hits, f"nothing at {where!r} in {found}"
    for word in words:
        assert any(word in p for p in hits), (word, hits)


def test_tag_values_with_characters_the_api_refuses(write_config: WriteConfig) -> None:
    path = write_config(JOBBER_CONFIG + "  tags:\n    team: ml\n    note: 'a (b), #1'\n")
    refused(path, "submit.tags.note", "note:", "Tags[1].Value", "pattern", "'('", "'#'", "','")


def test_a_tab_in_a_tag_key(write_config: WriteConfig) -> None:
    path = write_config(JOBBER_CONFIG + '  tags:\n    team: ml\n    "a\\tb": x\n')
    refused(path, "submit.tags.a\tb", '"a\\tb"', "Tags[1].Key", "'\\t'")


def test_smtuis_own_config_tag_is_blamed_on_the_prefix(write_config: WriteConfig) -> None:
    bad = write_config(JOBBER_CONFIG.replace("prefix: custom-run", "prefix: run(1)"))
    refused(bad, "submit.prefix", "prefix:", "smtui:config", "change the prefix")
    long = write_config(JOBBER_CONFIG.replace("prefix: custom-run", f"prefix: {'p' * 230}"))
    refused(long, "submit.prefix", "prefix:", "the limit is 256")


def test_environment_values_over_512(write_config: WriteConfig) -> None:
    path = write_config(JOBBER_CONFIG + f"  environment:\n    A: x\n    BIG: {'v' * 513}\n")
    refused(path, "submit.environment.BIG", "BIG:", "Environment[BIG]", "513 characters")


def test_metric_names_and_regexes_too_long(write_config: WriteConfig) -> None:
    path = write_config(
        JOBBER_CONFIG
        + "  metric-definitions:\n"
        + "    - {name: loss, regex: 'loss=(.*)'}\n"
        + f"    - {{name: {'n' * 256}, regex: 'x=(.*)'}}\n"
        + f"    - {{name: acc, regex: '{'a' * 501}'}}\n"
    )
    refused(path, "submit.metric-definitions.2", "nnnn", "MetricDefinitions[1].Name", "256")
    refused(path, "submit.metric-definitions.3", "aaaa", "MetricDefinitions[2].Regex", "501")


def test_image_uris_over_255(write_config: WriteConfig) -> None:
    long = "1" * 12 + ".dkr.ecr.us-east-1.amazonaws.com/" + "x" * 230 + ":latest"
    path = write_config(JOBBER_CONFIG.replace("my-training:latest", "x" * 230 + ":latest"))
    assert long in path.read_text().replace("123456789012", "1" * 12)
    refused(path, "submit.image-uri", "image-uri:", "TrainingImage", "the limit is 255")


def test_a_role_name_with_a_colon(write_config: WriteConfig) -> None:
    path = write_config(JOBBER_CONFIG.replace("role/SageMakerExecutionRole", "role/a:b"))
    refused(path, "submit.role-arn", "role-arn:", "RoleArn", "pattern")


def test_over_100_container_arguments(write_config: WriteConfig) -> None:
    params = "".join(f"    p{i}: '{i}'\n" for i in range(51))  # 51 pairs: 102 arguments
    text = JOBBER_CONFIG.replace('    epochs: "5"\n    batch-size: "64"\n', params)
    path = write_config(text + "  launch: command\n")
    refused(path, "submit.params", "params:", "ContainerArguments", "102 items; the limit is 100")


def test_multi_line_hyperparameter_values(write_config: WriteConfig) -> None:
    text = JOBBER_CONFIG + '    notes: "one\\ntwo"\n'
    path = write_config(text + "  launch: command\n")
    refused(path, "params.notes", "notes:", "HyperParameters[notes]", "'\\n'")
    # Script mode sends JSON, where the newline is the escape `\n`: the API takes it and the
    # toolkit decodes it back to a newline.
    assert problems(write_config(text)) == []


def test_keep_alive_up_to_the_models_21600(write_config: WriteConfig) -> None:
    assert problems(write_config(JOBBER_CONFIG + "  keep-alive-seconds: 21600\n")) == []
    path = write_config(JOBBER_CONFIG + "  keep-alive-seconds: 21601\n")
    refused(path, "submit.keep-alive-seconds", "keep-alive", "at most 21600")


def test_flags_are_named_when_they_cause_it(write_config: WriteConfig) -> None:
    path = write_config(JOBBER_CONFIG + "  launch: command\n")
    found = problems(path, Overrides(params=["note=a\rb"]))
    assert any(p.startswith("params.note: ") and p.endswith("(from --param)") for p in found)


def test_java_dot_excludes_every_line_terminator() -> None:
    dot = compile_java(".*")
    assert dot is not None
    for terminator in "\n\r\x85\u2028\u2029":
        assert not dot.fullmatch(f"a{terminator}b")
    assert dot.fullmatch("a\tb é ☃")


def test_java_classes_are_ascii_or_unicode_as_java_reads_them() -> None:
    digits = compile_java(r"\d+")
    assert digits is not None and digits.fullmatch("123") and not digits.fullmatch("١٢٣")
    alnum = compile_java(r"[\p{Alnum}]+")
    assert alnum is not None and alnum.fullmatch("aZ9") and not alnum.fullmatch("é")
    tag = compile_java(r"([\p{L}\p{Z}\p{N}_.:/=+\-@]*)")
    assert tag is not None
    assert tag.fullmatch("équipe ML\u3000٣ ²")  # letters, an ideographic space, digits
    assert not any(tag.fullmatch(c) for c in "()#,\t\n")


@pytest.mark.parametrize("pattern", [r"[a-z&&[^x]]", r"\Qa.b\E", r"[[a-z]]", r"\p{InGreek}"])
def test_java_only_features_are_not_guessed(pattern: str) -> None:
    assert translate(pattern) is None


def test_lengths_count_utf16_units_as_the_service_does() -> None:
    assert java_length("abc") == 3 and java_length("é") == 1 and java_length("😀") == 2


def test_every_pattern_in_the_operation_translates() -> None:
    import botocore.session

    model = botocore.session.get_session().get_service_model("sagemaker")
    shape = model.operation_model("CreateTrainingJob").input_shape
    seen: set[str] = set()
    patterns: set[str] = set()

    def walk(s: object) -> None:
        name = getattr(s, "name", "")
        if name in seen:
            return
        seen.add(name)
        pattern = getattr(s, "metadata", {}).get("pattern")
        if pattern:
            patterns.add(pattern)
        for child in [*getattr(s, "members", {}).values()] + [
            getattr(s, a) for a in ("member", "key", "value") if hasattr(s, a)
        ]:
            walk(child)

    walk(shape)
    assert patterns and [p for p in patterns if compile_java(p) is None] == []


def test_the_category_search_misses_no_code_point() -> None:
    import itertools
    import sys
    import unicodedata

    from smtui.core.javaregex import _SCANNED

    scanned = set(itertools.chain(*_SCANNED))
    missed = [
        c
        for c in range(sys.maxunicode + 1)
        if c not in scanned and unicodedata.category(chr(c))[0] in "LNZ"
    ]
    assert missed == []


def test_unknown_members_and_missing_required_ones() -> None:
    found = check_request({"TrainingJobName": "x", "Surprise": 1})
    wheres = {v.where: v.message for v in found}
    assert wheres["Surprise"] == "is not a member the API knows"
    assert wheres["RoleArn"] == "is required"
