"""Keys sent in one write through a real pty, as an SSH client delivers them, land in order.

Textual runs a key's binding (Home, End, Down, Tab) only after the key has bubbled up to
the App, while the next key's character is inserted at once; these tests fail with plain
`Input` / `TextArea` fields (see smtui/tui/fields.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.tui.ptyapp import pty_app

DOWN, END, HOME, SHIFT_TAB, ENTER = b"\x1b[B", b"\x1b[F", b"\x1b[H", b"\x1b[Z", b"\r"
CTRL_T, CTRL_S = b"\x14", b"\x13"


def type_in_bursts(tmp_path: Path, *bursts: bytes) -> dict[str, Any]:
    """Start the dialog in a pty, write each burst in ONE write, and read the fields back."""
    out = tmp_path / "fields.json"
    with pty_app("tests.tui.burst_app", str(out)) as app:
        app.wait_for(out.with_suffix(".ready"), "the dialog never opened")
        for burst in bursts:
            app.write(burst)
            app.read(0.5)
        app.write(CTRL_T)
        app.wait_for(out, "the dialog never wrote its fields")
    fields: dict[str, Any] = json.loads(out.read_text())
    return fields


def test_an_edit_typed_in_one_burst_lands_where_the_keys_put_it(tmp_path: Path) -> None:
    fields = type_in_bursts(tmp_path, DOWN + DOWN + END + ENTER + b"x=1")
    assert fields["params"] == "batch_size=64\nepochs=3\nx=1"


def test_ctrl_s_typed_in_the_burst_of_an_edit_sends_the_edit(tmp_path: Path) -> None:
    # ctrl+s is a priority binding: it runs as the App reads it, ahead of the keys read
    # with it that still wait at the field. It must wait for them.
    out = tmp_path / "fields.json"
    with pty_app("tests.tui.burst_app", str(out)) as app:
        app.wait_for(out.with_suffix(".ready"), "the dialog never opened")
        app.write(DOWN + DOWN + END + ENTER + b"x=1" + SHIFT_TAB + END + b"\x7f2" + CTRL_S)
        app.wait_for(out, "the dialog was never submitted")
    submitted = json.loads(out.read_text())["submitted"]
    assert submitted == {"params": {"x": "1"}, "count": 2}


def test_keys_after_a_focus_move_go_to_the_field_that_has_the_focus(tmp_path: Path) -> None:
    # Shift+tab twice: from the hyperparameters to the count, then the instance type, whose
    # text is selected on focus; Home drops the selection, so X goes in front of it.
    fields = type_in_bursts(tmp_path, SHIFT_TAB + SHIFT_TAB + HOME + b"X")
    assert fields["focused"] == "resubmit-type"
    assert fields["type"] == "Xml.g5.xlarge"
    assert fields["count"] == "1"
    assert fields["params"] == "batch_size=64\nepochs=3"


async def test_tab_from_the_hyperparameters_reaches_submit_and_ctrl_end_the_end(
    tmp_path: Path,
) -> None:
    from textual.widgets import TextArea

    from tests.tui.burst_app import BurstApp

    app = BurstApp(tmp_path / "unused.json")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        params = app.screen.query_one("#resubmit-params", TextArea)
        assert app.focused is params
        await pilot.press("ctrl+end")
        assert params.cursor_location == params.document.end
        await pilot.press("ctrl+home")
        assert params.cursor_location == (0, 0)
        await pilot.press("tab")  # no hidden stop between the text and the button
        assert app.focused is not None and app.focused.id == "submit"


def run_marks_app(tmp_path: Path, *bursts: bytes) -> dict[str, Any]:
    """The app with 300 jobs in moto, on a pty; each burst in ONE write; what it did."""
    out = tmp_path / "marks.json"
    with pty_app("tests.tui.marks_app", str(out)) as app:
        app.wait_for(out.with_suffix(".ready"), "the jobs never listed")
        for burst in bursts:
            app.write(burst)
            app.read(0.7)
        app.write(CTRL_T)
        app.wait_for(out, "the app never wrote what it did")
    done: dict[str, Any] = json.loads(out.read_text())
    return done


def test_marks_and_the_stop_of_them_typed_in_one_burst(tmp_path: Path) -> None:
    # From the newest (run-299, ended): mark it, down 9 to run-290 (running), mark, down 10
    # to run-280 (running), mark, then stop and answer yes, all in one read.
    done = run_marks_app(tmp_path, b" " + DOWN * 9 + b" " + DOWN * 10 + b" " + b"xy")
    assert done["stopped"] == ["run-280", "run-290"]  # the ended one was left out
    assert done["marked"] == [] and done["screen"] == "MainScreen"


def test_sort_keys_typed_in_one_burst_land_in_order(tmp_path: Path) -> None:
    done = run_marks_app(tmp_path, b"CCN" + b"N")  # cost, reversed, name, reversed
    assert done["sort"] == ["name", True]
    assert done["rows"] == sorted(done["rows"], reverse=True)


def test_a_filter_and_a_command_typed_in_one_burst_type_into_their_lines(
    tmp_path: Path,
) -> None:
    # Read while the table has the focus, the keys after `/` and `:` must go into the line
    # they open, not to the table's bindings (`r` resubmits, `u` sorts, `j`…).
    done = run_marks_app(tmp_path, b"/run-28\r:job run-283\r")
    assert done["filter"] == "run-28" and done["screen"] == "MainScreen"
    assert done["rows"] == [f"run-{n}" for n in range(289, 279, -1)]
    assert done["selected"] == "run-283"


def test_a_region_switch_typed_in_one_burst(tmp_path: Path) -> None:
    done = run_marks_app(tmp_path, b":region eu-west-1\r")
    assert done["where"] == "aws · default · eu-west-1"
    assert done["rows"] == []  # moto's eu-west-1 has no jobs
