"""The line-tracking YAML loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from smtui.core.errors import ConfigError
from smtui.core.yamlsource import LineDict, load_file, load_text

SRC = Path("x.yml")


def test_mapping_keys_remember_their_lines() -> None:
    doc = load_text("a: 1\nsub:\n  b: 2\n\n  c: [1, 2]\n", SRC)
    assert isinstance(doc, LineDict)
    assert doc.lines == {"a": 1, "sub": 2}
    assert doc["sub"].lines == {"b": 3, "c": 5}
    assert doc["sub"]["c"] == [1, 2]


def test_json_is_accepted() -> None:
    doc = load_text('{"submit": {"bucket": "b"}}', SRC)
    assert doc == {"submit": {"bucket": "b"}}


def test_duplicate_keys_are_refused_with_both_lines() -> None:
    with pytest.raises(ConfigError) as info:
        load_text("submit:\n  bucket: a\n  bucket: b\n", SRC)
    problem = info.value.problems[0]
    assert (problem.line, problem.key) == (3, "bucket")
    assert "first given on line 2" in problem.message


def test_syntax_errors_name_file_and_line() -> None:
    with pytest.raises(ConfigError) as info:
        load_text("submit:\n  bucket: a\n bad: [\n", SRC)
    assert str(info.value).startswith("x.yml:")
    assert "YAML syntax error" in str(info.value)


def test_merge_keys_work() -> None:
    doc = load_text("base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n", SRC)
    assert doc["other"] == {"x": 1, "y": 2}


def test_missing_file_suggests_init(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="smtui init"):
        load_file(tmp_path / "jobber.yml")


def test_a_merge_followed_by_an_override_is_not_a_duplicate() -> None:
    doc = load_text("base: &b {a: 1, b: 2}\nsubmit:\n  <<: *b\n  b: 3\n", SRC)
    assert doc["submit"] == {"a": 1, "b": 3}
    assert doc["submit"].lines["b"] == 4
    with pytest.raises(ConfigError, match="duplicate key"):
        load_text("base: &b {a: 1}\nsubmit:\n  <<: *b\n  b: 3\n  b: 4\n", SRC)


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "jobber.yml"
    os.mkfifo(fifo)  # nobody writes: reading it would wait for ever
    with pytest.raises(ConfigError, match="not a regular file"):
        load_file(fifo)
    with pytest.raises(ConfigError, match="not a regular file"):
        load_file(tmp_path)
