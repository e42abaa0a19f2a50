"""The submit form (`s`): a `Draft` of the selected config, checked on every keystroke.

Fields first (instance type, count, distribution, spot, max wait, max runtime, volume),
then the instance picker, then the hyperparameters as `name=value` lines with the table of
what each becomes, the argv preview, the advanced fields (folded: `advanced.py`), the cost
and every problem. `ctrl+d` shows the exact
request; `ctrl+s` submits and returns the new job's name.
"""

from __future__ import annotations

import asyncio
import json
import shlex
from pathlib import Path

from rich.console import Group
from rich.syntax import Syntax
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Checkbox, Footer, Input, Label, Select, Static, TextArea
from textual.worker import Worker, WorkerState

from smtui.core.draft import DISTRIBUTIONS, FORM, CheckedDraft, Draft, check_draft
from smtui.core.images import resolve_image_uri
from smtui.core.overrides import Overrides
from smtui.core.request import build_request, job_name_base, make_job_name
from smtui.core.safetext import clean
from smtui.core.spec import JobSpec
from smtui.services.backend import Backend
from smtui.services.pricing import load_prices
from smtui.services.submit import submit_spec
from smtui.tui.advanced import AdvancedFields, advanced_section
from smtui.tui.fields import OrderedInput, after_typed
from smtui.tui.params import param_table
from smtui.tui.picker import InstancePicker
from smtui.tui.plain import plain
from smtui.tui.textarea import OrderedTextArea


class RequestScreen(ModalScreen[None]):
    """The exact CreateTrainingJob request the form would send (`ctrl+d`)."""

    BINDINGS = [
        Binding("escape,ctrl+d,q", "app.pop_screen", "Close"),
        Binding("y", "copy_request", "Copy request", tooltip="Copy the request's JSON (OSC 52)"),
        Binding("a", "copy_argv", "Copy argv", tooltip="Copy the entry point's argv (OSC 52)"),
    ]

    def __init__(self, request: dict[str, object], argv: str) -> None:
        super().__init__()
        self.request = request
        self.argv = argv
        """The command line the entry point will run with, as the form previews it."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="request", classes="dialog"):
            title = "CreateTrainingJob request (dry run; y copies it, a the argv; esc closes)"
            yield Static(Text(title, style="bold"))
            yield Static(Syntax(json.dumps(self.request, indent=2), "json", word_wrap=True))

    def action_copy_request(self) -> None:
        self.app.copy_to_clipboard(json.dumps(self.request, indent=2))
        self.notify("copied the request (JSON)")

    def action_copy_argv(self) -> None:
        self.app.copy_to_clipboard(self.argv)
        self.notify(f"copied the argv: {self.argv}")


class SubmitScreen(Screen[str | None]):
    """Dismissed with the new job's name, or None when cancelled."""

    BINDINGS = [
        Binding("ctrl+s", "submit", "Submit", priority=True),
        Binding("ctrl+d", "dry_run", "Request", priority=True),
        Binding(
            "ctrl+g", "gpu_only", "GPU only", tooltip="Show GPU instances only, from any field"
        ),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, backend: Backend, path: Path, spec: JobSpec, overrides: Overrides) -> None:
        super().__init__()
        self.backend = backend
        self.path = path
        self.original = spec
        self.overrides = overrides
        self.checked: CheckedDraft | None = None
        self.sending = False
        """A submit is under way: a second one would start a second (billed) job, and
        closing the form would hide a job that is being created anyway."""

    def compose(self) -> ComposeResult:
        draft = Draft.from_spec(self.original)
        with VerticalScroll(id="submit"):
            shown = (
                self.path.relative_to(Path.cwd())
                if self.path.is_relative_to(Path.cwd())
                else self.path
            )
            yield Static(Text.assemble("Submit from ", (str(shown), "bold")), id="submit-title")
            with Grid(id="submit-fields"):
                yield Label("Instance type")
                yield OrderedInput(draft.instance_type, id="submit-type")
                yield Label("Instance count")
                yield OrderedInput(draft.instance_count, id="submit-count", type="integer")
                yield Label("Distribution")
                yield Select(
                    [(d, d) for d in DISTRIBUTIONS],
                    value=draft.distribution,
                    allow_blank=False,
                    id="submit-distribution",
                )
                yield Label("Spot")
                yield Checkbox(
                    "managed spot", draft.use_spot, id="submit-spot", classes="submit-flag"
                )
                yield Label("Max runtime (s)")
                yield OrderedInput(draft.max_run, id="submit-max-run", type="integer")
                yield Label("Max wait (s)")
                yield OrderedInput(draft.max_wait, id="submit-max-wait", type="integer")
                yield Label("Volume (GB)")
                yield OrderedInput(draft.volume, id="submit-volume", type="integer")
            yield InstancePicker(draft.instance_type, self.backend.prices)
            yield Label("Hyperparameters: one name=value per line")
            yield OrderedTextArea(draft.params, id="submit-params")
            yield Static("", id="submit-preview", markup=False)
            yield advanced_section(draft)
            with Horizontal(classes="buttons"):
                yield Button("Request (ctrl+d)", id="submit-dry-run")
                yield Button("Submit (ctrl+s)", id="submit-go", variant="success")
                yield Button("Cancel (esc)", id="submit-cancel")
        yield Static("", id="submit-state", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._check()
        self.query_one("#submit-type", Input).focus()
        self._read_prices()

    @work(exclusive=True, group="prices")
    async def _read_prices(self) -> None:
        """The region's prices (kept a week; the shipped table until they come), then the
        cost and the picker again at them."""
        book = await load_prices(self.backend)
        self.query_one(InstancePicker).reprice(book)
        self._check()

    # --- the draft -------------------------------------------------------------------
    def draft(self) -> Draft:
        """The fields as typed now."""
        value = self.query_one("#submit-distribution", Select).value
        return Draft(
            instance_type=self.query_one("#submit-type", Input).value,
            instance_count=self.query_one("#submit-count", Input).value,
            distribution=value if isinstance(value, str) else "none",
            use_spot=self.query_one("#submit-spot", Checkbox).value,
            max_wait=self.query_one("#submit-max-wait", Input).value,
            max_run=self.query_one("#submit-max-run", Input).value,
            volume=self.query_one("#submit-volume", Input).value,
            params=self.query_one("#submit-params", TextArea).text,
        ).but(**self.query_one(AdvancedFields).values())

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed, ".submit-flag")
    def _changed(self) -> None:
        self._check()

    @on(InstancePicker.Picked)
    def _picked(self, event: InstancePicker.Picked) -> None:
        self.query_one("#submit-type", Input).value = event.name

    def _check(self) -> CheckedDraft:
        checked = check_draft(self.path, self.draft(), self.original, self.overrides,
                              prices=self.backend.prices)  # fmt: skip
        self.checked = checked
        count = self.query_one("#submit-count", Input).value
        self.query_one(InstancePicker).count = int(count) if count.isdigit() and count else 1
        self.query_one("#submit-preview", Static).update(self._preview(checked))
        self.query_one("#submit-state", Static).update(self._state(checked))
        self.query_one("#submit-go", Button).disabled = not checked.ok
        return checked

    def _preview(self, checked: CheckedDraft) -> Group:
        table = param_table(checked.rows, emphasise=(FORM,))
        lines = Text()
        lines.append("argv: ", style="bold")
        lines.append(self._argv(checked))
        return Group(table, lines)

    @staticmethod
    def _argv(checked: CheckedDraft) -> str:
        entry = checked.spec.entry_point if checked.spec else ""
        return shlex.join([entry or "", *checked.argv])

    def _state(self, checked: CheckedDraft) -> Text:
        """Under the form, always in view while typing: every problem and warning, the
        cost, and whether ctrl+s would submit."""
        theme = self.app.theme_variables
        lines: list[Text] = []
        if checked.bound is not None and checked.spec is not None:
            said = clean(checked.bound.said(checked.spec.use_spot))
            lines.append(Text.assemble(("cost: ", "bold"), said))
        # The config named as in the table above (`jobber.yml:23`), not by its whole path.
        here, name = str(self.path), self.path.name
        lines += [
            plain(f"! {text}".replace(here, name), style=theme.get("warning", "yellow"))
            for text in checked.warnings
        ]
        lines += [
            plain(f"✗ {text}".replace(here, name), style=theme.get("error", "red"))
            for text in checked.problems
        ]
        if checked.ok:
            lines.append(Text("✓ ready: ctrl+s submits", style=theme.get("success", "green")))
        return Text("\n").join(lines)

    # --- actions ---------------------------------------------------------------------
    def action_gpu_only(self) -> None:
        """ctrl+g from any field of the form, not only from inside the picker."""
        self.query_one(InstancePicker).action_toggle_gpu()

    def _ready(self) -> JobSpec | None:
        checked = self._check()
        if not checked.ok or checked.spec is None:
            self.notify("fix the problems shown first", severity="error")
            return None
        return checked.spec

    def action_dry_run(self) -> None:
        after_typed(self, self._dry_run)

    def _dry_run(self) -> None:
        spec = self._ready()
        if spec is not None:
            self._show_request(spec)

    @work(exclusive=True, group="request", exit_on_error=False)
    async def _show_request(self, spec: JobSpec) -> None:
        image = await asyncio.to_thread(resolve_image_uri, spec)  # may load the SDK: off the UI
        request = build_request(spec, make_job_name(job_name_base(spec)), image)
        await self.app.push_screen(RequestScreen(request, self._argv(self._check())))

    def action_submit(self) -> None:
        after_typed(self, self._submit_typed)

    def _submit_typed(self) -> None:
        """Submit what the fields hold, once every key typed before ctrl+s is in them."""
        if self.sending:
            self.notify("already submitting…")
            return
        spec = self._ready()
        if spec is not None:
            self.sending = True
            self.query_one("#submit-go", Button).disabled = True
            self.notify("submitting…")
            self._submit(spec)

    @work(group="submit", exit_on_error=False)
    async def _submit(self, spec: JobSpec) -> None:
        submitted = await submit_spec(self.backend, spec)
        for note in submitted.notes:
            self.notify(clean(note), markup=False)  # may quote an AWS error: never markup
        self.dismiss(submitted.job_name)

    @on(Worker.StateChanged)
    def _failed(self, event: Worker.StateChanged) -> None:
        if event.worker.state != WorkerState.ERROR:
            return
        if event.worker.group == "request":
            self.notify(clean(str(event.worker.error)), title="no request", severity="error",
                        markup=False)  # fmt: skip
        elif event.worker.group == "submit":
            self.notify(clean(str(event.worker.error)), title="not submitted", severity="error",
                        markup=False)  # fmt: skip
            self.sending = False
            self.query_one("#submit-go", Button).disabled = False

    def action_cancel(self) -> None:
        if self.sending:
            self.notify("the job is being created; the form closes when it is", severity="warning")
            return
        self.dismiss(None)

    @on(Button.Pressed, "#submit-go")
    def _go(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#submit-dry-run")
    def _request(self) -> None:
        self.action_dry_run()

    @on(Button.Pressed, "#submit-cancel")
    def _cancel(self) -> None:
        self.action_cancel()
