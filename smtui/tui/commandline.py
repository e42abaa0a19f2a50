"""The command line that `:` opens at the foot of the main screen, with completion.

Tab completes the word being typed from what its command takes (the listed jobs, the
profiles in the AWS files, the regions botocore knows), as far as the matches agree, then
steps through them; the line below says what matches. Enter runs the line (the screen's
`run`, awaited before the next key); a line that is not a command stays, with the reason,
to be mended. Esc closes it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from smtui.tui.commands import (
    COMMANDS,
    Candidates,
    Command,
    CommandError,
    Completer,
    parse,
    usage,
    word_at_end,
)
from smtui.tui.fields import OrderedInput, focus_now
from smtui.tui.plain import plain

HINT_NAMES = 8
"""Matches named on the hint line; the rest are counted."""


Run = Callable[[Command | None], Awaitable[None]]
"""Runs a command the line has read (the screen's); None: Esc closed it."""


class CommandInput(OrderedInput):
    """The line itself: Tab completes, and Enter runs the command, in the order typed (a
    burst `:job ru<Tab><Enter><Enter>` runs what the Tab made, and the second Enter opens
    the job it jumped to)."""

    BINDINGS = [Binding("tab", "complete", "Complete", show=False)]

    def __init__(self, completer: Completer, done: Callable[[str], Awaitable[None]]) -> None:
        super().__init__(placeholder="a command: Tab completes, Enter runs, Esc closes",
                         id="command-input", select_on_focus=False, done=done)  # fmt: skip
        self.completer = completer

    def action_complete(self) -> None:
        self.value = self.completer.tab(self.value)
        self.cursor_position = len(self.value)


class CommandLine(Vertical):
    """`:` and the hint line under it; hidden until `:`."""

    def __init__(self, candidates: Candidates, run: Run) -> None:
        super().__init__(id="command-line")
        self.candidates = candidates
        self.run = run
        self._problem: tuple[str, str] | None = None
        """(the line, why it is not a command): shown until the line changes."""
        self.input = CommandInput(Completer(candidates), self._done)

    def compose(self) -> ComposeResult:
        yield self.input
        yield Static("", id="command-hint", markup=False)

    def on_mount(self) -> None:
        self.display = False

    def open(self, text: str = "") -> None:
        """Show the line (`:`, and `text` typed after it) and put the focus on it."""
        text = ":" + text
        self.display = True
        self.input.value = text
        self.input.cursor_position = len(text)
        self._hint(text)
        focus_now(self.input)

    def close(self) -> None:
        self.display = False
        self.input.value = ""

    async def _done(self, key: str) -> None:
        """Enter runs the line, Esc closes it: both before the next key is handled."""
        if key == "enter":
            await self.enter(self.input.value)
        else:
            self.close()
            await self.run(None)

    @property
    def is_open(self) -> bool:
        return bool(self.display)

    @on(Input.Changed, "#command-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self._hint(self.input.value)  # the line now: changes are read after later keys

    async def enter(self, text: str) -> None:
        """Run `text`'s command and close; a line that is not one stays, with the reason."""
        try:
            command = parse(text)
        except CommandError as exc:
            self._problem = (text, str(exc))
            self._hint(text)
            return
        self.close()
        await self.run(command)

    def _hint(self, line: str) -> None:
        """What the word being typed may become (or why Enter did not take the line)."""
        if self._problem is not None and self._problem[0] == line:
            self._show(plain(self._problem[1], style="bold"))
            return
        self._problem = None
        word = word_at_end(line, self.candidates)
        if " " not in line.removeprefix(":").lstrip():
            by_name = {spec.name: spec for spec in COMMANDS}
            shown = word.matches or [spec.name for spec in COMMANDS]
            if len(shown) == 1:
                spec = by_name[shown[0]]
                self._show(Text(f"{usage(spec)}  {spec.doc}"))
            else:
                self._show(Text("  ".join(usage(by_name[name]) for name in shown)))
            return
        if not word.matches:
            self._show(Text("no match" if word.word else "Tab: the names it takes"))
            return
        names = "  ".join(word.matches[:HINT_NAMES])
        more = len(word.matches) - HINT_NAMES
        # Others' names (profiles from a file, job names): drawn as written, never obeyed.
        self._show(plain(names + (f"  … {more} more" if more > 0 else "")))

    def _show(self, text: Text) -> None:
        self.query_one("#command-hint", Static).update(text)
