"""Modal dialogs: confirm, resubmit, help."""

from __future__ import annotations

import shlex

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
from smtui.tui.fields import OrderedInput, OrderedTextArea
from smtui.tui.params import param_table


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question; `y` / `n` / `escape` answer it."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm", classes="dialog"):
            yield Label(self.question, id="confirm-question")
            with Horizontal(classes="buttons"):
                yield Button("Yes (y)", id="yes", variant="error")
                yield Button("No (n)", id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

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
            with VerticalScroll(id="resubmit-preview-box"):
                yield Static("", id="resubmit-preview")
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
            table.add_row(Text(name, style="strike"), name, "", "removed")
        preview = Text()
        preview.append("argv: ", style="bold")
        preview.append(shlex.join(edit.argv) or "(none)")
        for problem in edit.problems:
            preview.append(f"\n✗ {problem}", style=self.app.theme_variables.get("error", "red"))
        from rich.console import Group

        self.query_one("#resubmit-preview", Static).update(Group(table, preview))
        self.query_one("#submit", Button).disabled = not edit.ok
        return edit

    def action_submit(self) -> None:
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


HELP = [
    ("Anywhere", [
        ("q", "quit (ctrl+q from a form or dialog)"), ("?", "this help"),
        ("ctrl+p", "command palette: every action, themes"),
        ("tab / shift+tab", "move between the jobs and the logs"),
        ("1 / 2 / 3", "jobs and logs / S3 data and sync / the configs in this folder"),
        ("s", "submit a job from the selected config"),
    ]),
    ("Data", [
        ("↑ ↓ enter", "browse s3://bucket/prefix/ (folders load when opened)"),
        ("y", "plan a sync of the local folder to data/; y again sends it"),
        ("esc", "cancel the sync (what finished stays) or drop the plan"),
        ("w", "watch the folder and sync on every change"), ("ctrl+r", "reload the tree"),
    ]),
    ("Configs", [
        ("↑ ↓", "choose a config: shown resolved, with the origin of every value"),
        ("e", "edit it in $VISUAL or $EDITOR (it reloads on save anyway)"),
    ]),
    ("Jobs", [
        ("↑ ↓ pgup pgdn", "move; the logs follow the selected job"),
        ("ctrl+home / ctrl+end", "first / last job (older jobs load at the last)"),
        ("enter", "details: status history, hyperparameters, channels, cost, config"),
        ("/", "filter by name"), ("S", "cycle the status filter"), ("ctrl+r", "refresh now"),
        ("x", "stop the job (asks first)"), ("r", "resubmit with changes"),
        ("d", "download model.tar.gz to ./<job>/"),
    ]),
    ("Logs", [
        ("f", "follow on/off"), ("w", "wrap long lines"), ("t", "timestamps"),
        ("/", "search every line (regular expression; esc clears)"),
        ("g / G", "top / bottom (bottom follows again)"), ("ctrl+s", "save to ./<job>.log"),
    ]),
    ("Submit form, resubmit dialog", [
        ("ctrl+s", "submit"), ("ctrl+d", "the exact request (submit form)"), ("esc", "cancel"),
        ("tab", "next field"), ("ctrl+g", "GPU-only instances (picker)"),
        ("enter", "choose the instance under the cursor (picker)"),
    ]),
]  # fmt: skip


class HelpScreen(ModalScreen[None]):
    """Every key, by pane."""

    BINDINGS = [Binding("escape,q,question_mark", "app.pop_screen", "Close")]

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        for section, keys in HELP:
            table.add_row(Text(section, style="underline"), "")
            for key, what in keys:
                table.add_row(key, what)
            table.add_row("", "")
        with VerticalScroll(id="help", classes="dialog"):
            yield Static(Text("smtui keys  (esc closes)", style="bold"))
            yield Static(table)
