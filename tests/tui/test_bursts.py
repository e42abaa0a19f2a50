"""Keys sent in one write through a real pty, as an SSH client delivers them, land in order.

Textual runs a key's binding (Home, End, Down, Tab) only after the key has bubbled up to
the App, while the next key's character is inserted at once; these tests fail with plain
`Input` / `TextArea` fields (see smtui/tui/fields.py).
"""

from __future__ import annotations

import json
import os
import pty
import select
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

DOWN, END, HOME, SHIFT_TAB, ENTER = b"\x1b[B", b"\x1b[F", b"\x1b[H", b"\x1b[Z", b"\r"
CTRL_T = b"\x14"


def _drain(fd: int, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                os.read(fd, 65536)
            except OSError:
                return


def type_in_bursts(tmp_path: Path, *bursts: bytes) -> dict[str, Any]:
    """Start the dialog in a pty, write each burst in ONE write, and read the fields back."""
    out = tmp_path / "fields.json"
    pid, fd = pty.fork()
    if pid == 0:  # the child: the app, on the pty
        os.chdir(ROOT)
        os.environ["TERM"] = "xterm-256color"
        os.execv(sys.executable, [sys.executable, "-m", "tests.tui.burst_app", str(out)])
    try:
        deadline = time.monotonic() + 30
        while not out.with_suffix(".ready").exists():
            assert time.monotonic() < deadline, "the dialog never opened"
            _drain(fd, 0.1)
        for burst in bursts:
            os.write(fd, burst)
            _drain(fd, 0.5)
        os.write(fd, CTRL_T)
        deadline = time.monotonic() + 30
        while not out.exists():
            assert time.monotonic() < deadline, "the dialog never wrote its fields"
            _drain(fd, 0.1)
        fields: dict[str, Any] = json.loads(out.read_text())
        return fields
    finally:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)


def test_an_edit_typed_in_one_burst_lands_where_the_keys_put_it(tmp_path: Path) -> None:
    fields = type_in_bursts(tmp_path, DOWN + DOWN + END + ENTER + b"x=1")
    assert fields["params"] == "batch_size=64\nepochs=3\nx=1"


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
