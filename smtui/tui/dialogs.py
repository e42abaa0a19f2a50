"""Modal dialogs: confirm, resubmit, help."""

from __future__ import annotations

import shlex
from collections.abc import Iterable

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static, TextArea

from smtui.core.edits import EditedJob, edit_job, params_text
from smtui.core.jobs import TrainingJob
from smtui.tui.fields import OrderedInput, after_typed
from smtui.tui.guard import MUTATING
from smtui.tui.params import param_table
from smtui.tui.plain import plain
from smtui.tui.textarea import OrderedTextArea

HELP_SECTIONS = {
    "MainScreen": "Anywhere",
    "JobsPane": "Jobs",
    "LogPane": "Logs",
    "DataPane": "Data",
    "ConfigsPane": "Configs",
}


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question; `y` / `n` / `escape` answer it."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str, items: list[str] | None = None) -> None:
        super().__init__()
        self.question = question
        self.items = items or []
        """What the question is about, listed under it (every one: it scrolls)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm", classes="dialog"):
            yield Label(plain(self.question), id="confirm-question")
            if self.items:
                with VerticalScroll(id="confirm-items"):
                    yield Static(plain("\n".join(self.items)), markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Yes (y)", id="yes", variant="error")
                yield Button("No (n)", id="no", variant="primary")

    AUTO_FOCUS = "#no"
    """Focused when the dialog shows (not in `on_mount`: a `y` or `n` typed with the key
    that opened it can dismiss the dialog before it mounts)."""

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class ResubmitDialog(ModalScreen[EditedJob | None]):
    """Resubmit a job with edited hyperparameters, instance type and count.

    Every keystroke re-checks the edit: the table shows each name as written, normalised,
    its value and whether it changed; below it, the argv the entry point will get."""

    BINDINGS = [
        Binding("ctrl+s", "submit", "Submit", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, job: TrainingJob) -> None:
        super().__init__()
        self.job = job
        self.edit: EditedJob | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="resubmit", classes="dialog"):
            yield Label(Text.assemble("Resubmit ", (self.job.name, "bold")), id="resubmit-title")
            with Grid(id="resubmit-fields"):
                yield Label("Instance type")
                yield OrderedInput(self.job.instance_type, id="resubmit-type")
                yield Label("Instance count")
                yield OrderedInput(
                    str(self.job.instance_count), id="resubmit-count", type="integer"
                )
            yield Label("Hyperparameters: one name=value per line")
            yield OrderedTextArea(params_text(self.job.hyperparameters), id="resubmit-params")
            with VerticalScroll(id="resubmit-preview-box", can_focus=False):  # no hidden tab stop
                yield Static("", id="resubmit-preview", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Submit (ctrl+s)", id="submit", variant="success")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self._check()
        self.query_one("#resubmit-params", TextArea).focus()

    @on(Input.Changed)
    @on(TextArea.Changed)
    def _changed(self) -> None:
        self._check()

    def _check(self) -> EditedJob:
        edit = edit_job(
            self.job.hyperparameters,
            self.query_one("#resubmit-params", TextArea).text,
            self.query_one("#resubmit-type", Input).value,
            self.query_one("#resubmit-count", Input).value,
            self.job.instance_type,
            self.job.instance_count,
        )
        self.edit = edit
        table = param_table(edit.rows, emphasise=("edited", "added"))
        for name in edit.removed:
            table.add_row(plain(name, style="strike"), plain(name), "", "removed")
        preview = Text()
        preview.append("argv: ", style="bold")
        preview.append(plain(shlex.join(edit.argv) or "(none)"))
        for problem in edit.problems:
            preview.append(
                plain(f"\n✗ {problem}", style=self.app.theme_variables.get("error", "red"))
            )
        from rich.console import Group

        self.query_one("#resubmit-preview", Static).update(Group(table, preview))
        self.query_one("#submit", Button).disabled = not edit.ok
        return edit

    def action_submit(self) -> None:
        after_typed(self, self._submit_typed)

    def _submit_typed(self) -> None:
        """Resubmit with what the fields hold, once every key typed before ctrl+s is in."""
        edit = self._check()
        if edit.ok:
            self.dismiss(edit)
        else:
            self.notify("fix the problems shown first", severity="error")

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#submit")
    def _submit_pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)


MOVING = [
    ("tab / shift+tab", "move between panes and fields"),
    ("↑ ↓ pgup pgdn", "move in a list (ctrl+home / ctrl+end: the ends)"),
    ("enter", "open: a job's details, a folder, the instance picked"),
    ("ctrl+q", "quit from anywhere (in a form, q is a letter)"),
    ("ctrl+p", "command palette: every key below, and the themes"),
]
"""Keys that are Textual's own (tables, trees, focus): the rest comes from the bindings."""


def key_label(binding: Binding) -> str:
    """`?`, `ctrl+r`, `1` …: how a binding's keys read in the help."""
    names = {"question_mark": "?", "slash": "/", "escape": "esc"}
    return " / ".join(names.get(key, key) for key in binding.key.split(","))


class HelpScreen(ModalScreen[None]):
    """Every key, by where it applies; built from the bindings themselves, so the help
    cannot drift from what the keys do."""

    BINDINGS = [Binding("escape,q,question_mark", "app.pop_screen", "Close")]

    def __init__(
        self, bindings: Iterable[tuple[object, Binding]], *, readonly: bool = False
    ) -> None:
        super().__init__()
        self.sections: dict[str, list[tuple[str, str]]] = {"Anywhere": list(MOVING)}
        for node, binding in bindings:
            where = HELP_SECTIONS.get(type(node).__name__, "Anywhere")
            what = binding.tooltip or binding.description
            if readonly and binding.action in MUTATING:
                what = f"{what} (off: read-only mode)"
            self.sections.setdefault(where, []).append((key_label(binding), what))

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 1), expand=True)
        table.add_column(style="bold", no_wrap=True)
        table.add_column(ratio=1)
        for section, keys in self.sections.items():
            table.add_row(Text(section, style="underline"), "")
            for key, what in keys:
                table.add_row(Text(key), Text(what))
            table.add_row("", "")
        with VerticalScroll(id="help", classes="dialog"):
            yield Static(Text("smtui keys  (esc closes)", style="bold"))
            yield Static(table)


class KeepAliveDialog(ModalScreen[int | None]):
    """How long to keep a job's warm pool: seconds after its last use (0 releases it);
    `enter` sends it (a value the API would refuse is said, and stays to be mended),
    `escape` cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, job: str, pool: str) -> None:
        super().__init__()
        self.job = job
        self.pool = pool

    def compose(self) -> ComposeResult:
        with Vertical(id="keep-alive", classes="dialog"):
            yield Label(plain(f"{self.job}'s warm pool: {self.pool}. Keep it how many seconds "
                              "after its last use? (0 releases it; at most 21600)"))  # fmt: skip
            yield OrderedInput(placeholder="seconds, e.g. 1800", id="keep-alive-seconds")
            yield Static("", id="keep-alive-problem", markup=False)

    AUTO_FOCUS = "#keep-alive-seconds"

    @on(Input.Submitted, "#keep-alive-seconds")
    def _submitted(self, event: Input.Submitted) -> None:
        from smtui.core.errors import UsageError
        from smtui.core.jobs import check_keep_alive

        text = event.value.strip()
        problem = self.query_one("#keep-alive-problem", Static)
        if not text.isdigit():
            problem.update(plain(f"'{text}' is not a number of seconds"))
            return
        try:
            check_keep_alive(int(text))
        except UsageError as exc:
            problem.update(plain(str(exc)))
            return
        self.dismiss(int(text))

    def action_cancel(self) -> None:
        self.dismiss(None)
