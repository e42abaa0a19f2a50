"""The details screen (`enter` on a job): everything about one job, failure reason first."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from smtui.core.formats import duration, money, when
from smtui.core.hyperparams import render_argv
from smtui.core.jobs import TrainingJob
from smtui.services.backend import Backend
from smtui.services.errors import NotFound, ServiceError
from smtui.services.submit import configs_uri
from smtui.tui.clock import app_now
from smtui.tui.colours import status_colour


def _pairs(rows: list[tuple[str, str]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for key, value in rows:
        table.add_row(key, value)
    return table


class DetailsScreen(Screen[None]):
    """One job described; the stored config (when smtui submitted it) at the end."""

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back"),
        Binding("r", "app.resubmit", "Resubmit"),
        Binding("x", "app.stop_job", "Stop"),
        Binding("d", "app.download", "Download"),
    ]

    def __init__(self, backend: Backend, job: str) -> None:
        super().__init__()
        self.backend = backend
        self.job = job

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="details"):
            yield Static(f"{self.job}: loading…", id="details-failure")
            yield Static("", id="details-body")
            yield Static("", id="details-config")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#details-failure").display = False
        self.load()

    @work(exclusive=True, group="details", exit_on_error=False)
    async def load(self) -> None:
        try:
            job = await self.backend.jobs.describe_job(self.job)
        except ServiceError as exc:
            self.query_one("#details-body", Static).update(Text(str(exc), style="bold red"))
            return
        self._show(job)
        where = configs_uri(job.raw, job.name)
        config = "(none stored: not submitted by smtui, or removed since)"
        if where:
            try:
                config = (await self.backend.storage.read_bytes(where)).decode()
            except NotFound:
                pass  # the job was not submitted by smtui (or the file was removed)
            except ServiceError as exc:  # denied, throttled, unreachable: say so
                config = f"(cannot read it: {exc})"
        self.query_one("#details-config", Static).update(
            Group(Text(f"Submitted config  {where or ''}", style="bold underline"), Text(config))
        )

    def _show(self, job: TrainingJob) -> None:
        failure = self.query_one("#details-failure", Static)
        if job.failure_reason:
            failure.display = True
            failure.update(Text(f"Failure reason: {job.failure_reason}", style="bold"))
        colour = status_colour(self.app, job.status)
        heading = Text.assemble(
            (job.name, "bold"),
            "  ",
            (job.status, f"bold {colour}"),
            f"  ({job.secondary_status})" if job.secondary_status else "",
        )
        parts: list[RenderableType] = [heading, Text()]
        spot, now = job.spot_savings, app_now(self.app)
        parts.append(
            _pairs(
                [
                    ("instances", f"{job.instance_type} × {job.instance_count}"
                     + ("  (managed spot)" if job.use_spot else "")),
                    ("created", when(job.created)),
                    ("started", when(job.started)),
                    ("ended", when(job.ended)),
                    ("elapsed", duration(job.elapsed(now))),
                    ("billable", duration(job.billable_seconds)),
                    ("est. cost", money(job.cost(now))),
                    ("spot savings", f"{spot:.0%}" if spot is not None else "-"),
                    ("model artifacts", job.model_artifacts or "-"),
                    ("output path", job.output_path or "-"),
                ]
            )
        )  # fmt: skip
        if job.transitions:
            history = Table(title="Status history", title_justify="left", expand=False)
            for column in ("status", "started", "took", "message"):
                history.add_column(column)
            for t in job.transitions:
                took = duration(t.end - t.start) if t.end else "…"
                history.add_row(t.status, when(t.start), took, t.message)
            parts += [Text(), history]
        user = {k: v for k, v in job.params.items() if not k.startswith("sagemaker_")}
        if user:
            params = Table(title="Hyperparameters", title_justify="left")
            params.add_column("name")
            params.add_column("value")
            for key, value in sorted(user.items()):
                params.add_row(key, value)
            argv = " ".join(render_argv(job.hyperparameters))
            parts += [Text(), params, Text(f"entry point argv: {argv}")]
        if job.channels:
            parts += [Text(), Text("Channels", style="bold underline")]
            parts.append(_pairs(sorted(job.channels.items())))
        parts.append(Text())
        self.query_one("#details-body", Static).update(Group(*parts))
