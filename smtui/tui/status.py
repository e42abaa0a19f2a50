"""The status line: where smtui points, when the jobs were last listed, what is wrong now."""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual.reactive import reactive

from smtui.core.safetext import clean
from smtui.tui.headers import StateLine


class StatusLine(StateLine):
    """`local · /home · refreshed 10:04:05 · ⚠ jobs: throttled; retrying in 10 s`.

    One line: a problem shows its first line, cut with an ellipsis at the edge (the
    notification or the pane it comes from has the rest). A change repaints it without a
    layout: a `Static.update` reflowed the whole screen, 40 ms in the middle of a flood."""

    DEFAULT_CSS = """
    StatusLine {
        background: $panel;
        color: $text-muted;
    }
    """

    where: reactive[str] = reactive("")
    refreshed: reactive[dt.datetime | None] = reactive(None)
    """The last refresh that worked (a failed one leaves it as it was)."""
    problems: reactive[dict[str, str]] = reactive(dict, always_update=True)
    """What is wrong now, by where it comes from (`jobs`, `logs`)."""

    def set_problem(self, where: str, problem: str | None) -> None:
        problems = dict(self.problems)
        if problem:
            problems[where] = problem
        else:
            problems.pop(where, None)
        self.problems = problems

    def line(self) -> Text:
        """The line as it reads now."""
        line = Text(clean(self.where), no_wrap=True, overflow="ellipsis")
        if self.refreshed is not None:
            line.append(f" · refreshed {self.refreshed.astimezone():%H:%M:%S}")
        error = self.app.theme_variables.get("error", "")
        for where, problem in self.problems.items():
            first = clean(problem.strip().splitlines()[0] if problem.strip() else problem)
            line.append(f" · ⚠ {where}: {first}", style=error)
        return line
