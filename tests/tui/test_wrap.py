"""The logs pane's pure helpers: wrap cuts lines by terminal cells (wide characters never
overflow), and the search box's pattern (smart case; a bad pattern is searched as typed)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from smtui.tui.logs import wrapped

LOG_TEXT = st.text(
    st.sampled_from(list("abc xyz=0.5[]") + ["日", "本", "語", "é", "😀", "л"]), max_size=300
)


@given(LOG_TEXT, st.integers(min_value=8, max_value=120))
def test_pieces_fit_the_width_and_join_back(text: str, width: int) -> None:
    pieces = wrapped(text, width)
    assert "".join(pieces) == text
    assert all(cell_len(piece) <= width for piece in pieces)
    assert len(pieces) == 1 or all(cell_len(piece) >= width - 1 for piece in pieces[:-1])


def test_wide_characters_take_two_cells() -> None:
    assert wrapped("日本語のテキスト", 8) == ["日本語の", "テキスト"]
    assert wrapped("a" * 20, 8) == ["a" * 8, "a" * 8, "a" * 4]


def test_search_is_smart_case_and_a_bad_pattern_says_it_is_searched_as_typed() -> None:
    from smtui.tui.logs import search_pattern

    lower, note = search_pattern("error")
    assert note is None and lower.search("CUDA Error: out of memory")
    upper, _ = search_pattern("Error")
    assert upper.search("Error 1") and not upper.search("error 1")
    half, note = search_pattern("loss=(")
    assert half.search("epoch 1 loss=(0.5)") and not half.search("loss=0.5")
    assert note is not None and note.startswith("searched as typed: ")
