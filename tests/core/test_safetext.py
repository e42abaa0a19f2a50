"""The sanitiser for text written by others."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from smtui.core.safetext import clean, is_clean


def _controls(text: str) -> list[str]:
    return [c for c in text if (ord(c) < 0x20 and c != "\t") or 0x7F <= ord(c) <= 0x9F]


def test_escape_sequences_are_shown_not_obeyed() -> None:
    osc52 = "\x1b]52;c;aGVsbG8=\x07after"
    assert clean(osc52) == "^[]52;c;aGVsbG8=^Gafter"
    assert clean("\x1b[?1049h") == "^[[?1049h"
    assert clean("\x9b2J") == "<9b>2J"
    assert clean("a\rb\x7f") == "a^Mb^?"


def test_tabs_stay_and_newlines_only_in_multiline_text() -> None:
    assert clean("a\tb") == "a\tb"
    assert clean("a\nb") == "a^Jb"
    assert clean("a\nb", multiline=True) == "a\nb"


def test_a_lone_surrogate_becomes_the_replacement_character() -> None:
    text = clean("x\ud83dy")
    assert text == "x\ufffdy"
    text.encode("utf-8")  # would raise before


def test_clean_text_is_returned_as_it_is() -> None:
    line = "epoch 1/2 loss=0.5 — 損失 🙂 [link=x]"
    assert clean(line) is line
    assert is_clean(line)


@given(st.text())
def test_nothing_a_terminal_obeys_survives(text: str) -> None:
    out = clean(text)
    assert _controls(out) == []
    out.encode("utf-8")
    assert is_clean(out)


@given(st.text(alphabet=st.characters(min_codepoint=0x20, exclude_categories=["Cs"])))
def test_printable_text_is_unchanged(text: str) -> None:
    if not _controls(text):
        assert clean(text) == text
