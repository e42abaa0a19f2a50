"""Telling the user a job ended, failed or stalled, on the terminal they are looking at.

Three ways, all at once: the terminal bell; a desktop notification as OSC 9 (iTerm2,
WezTerm, Windows Terminal, kitty) and OSC 777 (foot, WezTerm, urxvt-style terminals), which
reach the laptop through SSH because they travel in the terminal's own stream; and, when
the settings name one, a `notify-command` run with the job, its status and the reason as
arguments (for Slack or mail).

Inside tmux, an OSC sequence would be swallowed by tmux; it is wrapped in tmux's
passthrough (`ESC P tmux; … ESC \\`), which tmux hands on when `allow-passthrough` is on.

What goes in a notification (a job name, a failure reason) is others' text: its control
characters are made visible, and OSC 777's `;` separators cannot be forged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from smtui.core.safetext import clean

BELL = "\a"
LONGEST = 200
"""Characters of a notification's body kept (a failure reason can be pages long)."""


def _field(text: str) -> str:
    """One line, no control characters, no `;` (OSC 777's separator)."""
    line = " ".join(clean(text).split())
    line = line.replace(";", ",")
    return line if len(line) <= LONGEST else line[: LONGEST - 1] + "…"


def osc9(body: str) -> str:
    return f"\x1b]9;{_field(body)}\x07"


def osc777(title: str, body: str) -> str:
    return f"\x1b]777;notify;{_field(title)};{_field(body)}\x07"


def tmux_passthrough(sequence: str) -> str:
    """`sequence` wrapped for tmux: every ESC in it doubled, inside ESC P tmux; … ESC \\."""
    return "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"


@dataclass(frozen=True)
class Notice:
    job: str
    status: str
    """`Completed`, `Failed`, `Stopped`, or `Stalled`."""
    reason: str = ""

    @property
    def title(self) -> str:
        return f"smtui: {self.job} {self.status}"

    @property
    def body(self) -> str:
        return self.reason or f"{self.job} is {self.status}"


def sequences(notice: Notice, environ: Mapping[str, str]) -> str:
    """What to write to the terminal for `notice`: the bell, then OSC 9 and OSC 777 (each
    in tmux's passthrough when `$TMUX` says tmux is between smtui and the terminal)."""
    oscs = [osc9(f"{notice.title}: {notice.body}"), osc777(notice.title, notice.body)]
    if environ.get("TMUX"):
        oscs = [tmux_passthrough(seq) for seq in oscs]
    return BELL + "".join(oscs)


def command_line(command: list[str], notice: Notice) -> list[str]:
    """The notify command's argv: the settings' words, then the job, status and reason
    (as arguments, never through a shell: the reason is others' text)."""
    return [*command, notice.job, notice.status, notice.reason]
