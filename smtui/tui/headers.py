"""The one-line headers of the jobs and logs panes (and the status line's base), drawn
from reactive state.

Each pane binds its state into its header (`data_bind`): a change anywhere in the pane
redraws the line (a reactive repaints; the pane's own `var`s do not), and nothing else.
The header's size never changes, so a repaint needs no layout. A `Static.update` asks
for one, and in a log flood that was a reflow of the whole screen per chunk.
"""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from smtui.core.kinds import TRAINING, Kind
from smtui.core.safetext import clean
from smtui.tui.colours import status_colour


class StateLine(Widget):
    """One line drawn from reactive state; subclasses say what it reads (`line`). A
    change repaints the line and never asks for a layout."""

    DEFAULT_CSS = """
    StateLine {
        height: 1;
        padding: 0 1;
    }
    """

    def line(self) -> Text:
        raise NotImplementedError

    def render(self) -> Text:
        line = self.line()
        line.no_wrap, line.overflow = True, "ellipsis"
        return line


class PaneHeader(StateLine):
    """A pane's title line."""

    DEFAULT_CSS = """
    PaneHeader {
        background: $boost;
        color: $text-muted;
    }
    """


class JobsHeader(PaneHeader):
    """`Jobs (50+)  ·  status: Failed  ·  name contains 'bert'  ·  sorted by cost ↓`, and
    how many jobs are marked."""

    count: reactive[int] = reactive(0)
    more: reactive[bool] = reactive(False)
    """Whether there are pages not listed yet."""
    status_filter: reactive[str | None] = reactive(None)
    name_filter: reactive[str] = reactive("")
    marked: reactive[int] = reactive(0)
    sort: reactive[str] = reactive("created")
    descending: reactive[bool] = reactive(True)
    kind: reactive[Kind] = reactive(TRAINING)

    def __init__(self, *, readonly: bool = False, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.readonly = readonly
        """Read-only mode: `x` stops nothing, so the marks' hint does not say it does."""

    def line(self) -> Text:
        title = "Jobs" if self.kind is TRAINING else self.kind.plural.capitalize()
        parts = [f"{title} ({self.count}{'+' if self.more else ''})"]
        if self.status_filter:
            parts.append(f"status: {self.status_filter}")
        if self.name_filter:
            parts.append(f"name contains '{self.name_filter}'")
        if (self.sort, self.descending) != ("created", True):  # newest first says nothing
            parts.append(f"sorted by {self.sort} {'↓' if self.descending else '↑'}")
        if self.marked:
            parts.append(f"{self.marked} marked" + ("" if self.readonly else " (x stops them)"))
        return Text(clean("  ·  ".join(parts)))


class LogsHeader(PaneHeader):
    """`Logs  job-1  · 2 hosts  · InProgress  · 1,234 lines  · following  · wrap`."""

    job: reactive[str | None] = reactive(None)
    hosts: reactive[int] = reactive(1)
    status: reactive[str | None] = reactive(None)
    problem: reactive[str | None] = reactive(None)
    follow: reactive[bool] = reactive(True)
    ended: reactive[bool] = reactive(False)
    """Whether the tail has drained the last lines of a job that ended."""
    received: reactive[int] = reactive(0)
    """Lines received (written to the history)."""
    filling: reactive[bool] = reactive(False)
    """Whether a finished job's end is shown while the rest is read."""
    wrap: reactive[bool] = reactive(False)
    search: reactive[str | None] = reactive(None)
    """The search's pattern, when searching."""
    matches: reactive[int] = reactive(0)
    search_note: reactive[str | None] = reactive(None)
    """Why the search is of the text as typed."""
    host: reactive[str | None] = reactive(None)
    """The one host shown (`h` cycles), or None for all of them."""

    def line(self) -> Text:
        title = Text("Logs", style="bold")
        if self.job is None:
            title.append("  · select a job")
        else:
            title.append(f"  {clean(self.job)}")
            if self.hosts > 1:
                title.append(f"  · {self.hosts} hosts")
                if self.host:
                    title.append(f" (only {self.host})")
            if self.status:
                title.append("  · ")
                title.append(self.status, style=status_colour(self.app, self.status))
            title.append(f"  · {self.received:,} lines")  # before the rest: 80 columns
            title.append("  · following" if self.follow else "  · paused")
            if self.ended:
                title.append(" (ended)")
            if self.filling:
                title.append("  · the end shown; reading the rest for search and save")
            if self.wrap:
                title.append("  · wrap")
            if self.search is not None:
                title.append(f"  · /{clean(self.search)}/ {self.matches:,} matches")
                if self.search_note:
                    title.append(f" ({self.search_note})", style="italic")
        if self.problem:
            title.append(
                f"  ⚠ {clean(self.problem)}", style=self.app.theme_variables.get("error", "")
            )
        return title
