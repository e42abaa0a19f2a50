"""Text written by others can't drive the user's terminal or break the TUI: run in a real
pty, the app shows a log, a failure reason and hyperparameters full of escapes and markup,
and no escape from them reaches the terminal (they show as `^[`), and nothing crashes."""

from __future__ import annotations

import re
from pathlib import Path

from tests.tui.ptyapp import pty_app

CTRL_T, CTRL_X = b"\x14", b"\x18"


def run_hostile_app(tmp_path: Path) -> tuple[bytes, bool]:
    out = tmp_path / "done"
    env = {"SMTUI_HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    with pty_app("tests.tui.hostile_app", str(out), env=env) as app:
        app.wait_for(out.with_suffix(".ready"), "the log lines never reached the view")
        app.read_until(b"^[]52;c;cHduZWQ=")
        app.write(CTRL_T)  # the details: failure reason and hyperparameters
        app.read_until(b"^[]52;c;ZmFpbA==")
        app.write(CTRL_X)
        app.read_until(b"\x1b[?1049l", 20)  # the app left its screen
        return bytes(app.screen), out.exists()


def test_no_escape_from_others_reaches_the_terminal(tmp_path: Path) -> None:
    written, finished = run_hostile_app(tmp_path)
    assert finished, "the app did not survive the hostile text"
    for payload in (b"52;c;cHduZWQ=", b"0;PWNED-TITLE", b"52;c;ZmFpbA==", b"0;HP-TITLE"):
        assert b"\x1b]" + payload not in written  # the OSC was not sent
    for payload in (b"52;c;cHduZWQ=", b"0;PWNED-TITLE", b"52;c;ZmFpbA=="):
        assert b"^[]" + payload in written  # it was shown, made visible
    # No BEL but the ones that end Textual's own OSC 22 (the mouse pointer's shape): an
    # OSC from the log can't be ended, or left open to swallow what follows.
    assert b"\x07" not in re.sub(rb"\x1b\]22;[a-z-]*\x07", b"", written)
    assert "\x9b".encode() not in written  # a C1 CSI, as the UTF-8 the terminal reads
    assert b"<9b>31m csi" in written
    assert b"click[/link]" in written  # markup shown as written, not a hidden link
