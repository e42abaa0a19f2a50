"""The details screen (`enter` on a job): everything about one job, failure reason first."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

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
from smtui.tui.guard import allowed
from smtui.tui.plain import plain

if TYPE_CHECKING:
    from smtui.tui.app import SmtuiApp


def _pairs(rows: list[tuple[str, str]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for key, value in rows:
        table.add_row(key, plain(value))
    return table


class DetailsScreen(Screen[None]):
    """One job described; the stored config (when smtui submitted it) at the end."""

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back"),
        Binding("r", "resubmit", "Resubmit", tooltip="Resubmit this job with changes"),
        Binding("x", "stop_job", "Stop", tooltip="Stop this job (asks first)"),
        Binding("d", "download", "Get model", tooltip="Download model.tar.gz to ./<job>/"),
        Binding("y", "copy", "Copy", tooltip="Copy the job's ARN (OSC 52)"),
    ]

    def __init__(self, backend: Backend, job: str) -> None:
        super().__init__()
        self.backend = backend
        self.job = job
        self.described: TrainingJob | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="details"):
            yield Static(plain(f"{self.job}: loading…"), id="details-failure", markup=False)
            yield Static("", id="details-body", markup=False)
            yield Static("", id="details-config", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#details-failure").display = False
        self.load()

    @property
    def smtui(self) -> SmtuiApp:
        return cast("SmtuiApp", self.app)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return allowed(self, action)  # read-only mode greys out stop and resubmit

    def action_resubmit(self) -> None:
        self.smtui.open_resubmit(self.job)

    def action_stop_job(self) -> None:
        self.smtui.stop_job(self.job, self.described.status if self.described else None)

    def action_download(self) -> None:
        self.smtui.download(self.job)

    def action_copy(self) -> None:
        arn = self.described.raw.get("TrainingJobArn") if self.described else None
        self.smtui.copy(arn or self.job, "job ARN" if arn else "job name")

    @work(exclusive=True, group="details", exit_on_error=False)
    async def load(self) -> None:
        try:
            job = await self.backend.jobs.describe_job(self.job)
        except ServiceError as exc:
            self.query_one("#details-body", Static).update(plain(exc, style="bold red"))
            return
        self.described = job
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
            Group(plain(f"Submitted config  {where or ''}", style="bold underline"), plain(config))
        )

    def _show(self, job: TrainingJob) -> None:
        failure = self.query_one("#details-failure", Static)
        if job.failure_reason:
            failure.display = True
            failure.update(plain(f"Failure reason: {job.failure_reason}", style="bold"))
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
                history.add_row(plain(t.status), when(t.start), took, plain(t.message))
            parts += [Text(), history]
        user = {k: v for k, v in job.params.items() if not k.startswith("sagemaker_")}
        if user:
            params = Table(title="Hyperparameters", title_justify="left")
            params.add_column("name")
            params.add_column("value")
            for key, value in sorted(user.items()):
                params.add_row(plain(key), plain(value))
            argv = " ".join(render_argv(job.hyperparameters))
            parts += [Text(), params, plain(f"entry point argv: {argv}")]
        if job.channels:
            parts += [Text(), Text("Channels", style="bold underline")]
            parts.append(_pairs(sorted(job.channels.items())))
        parts.append(Text())
        self.query_one("#details-body", Static).update(Group(*parts))
