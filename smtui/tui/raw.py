"""The raw view (`v` on the details): the Describe… response (DescribeTrainingJob, or the
kind's) as the backend
returned it, as YAML or JSON (`j` switches), wrapped, read-only; `y` copies all of it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from smtui.core.jobs import TrainingJob
from smtui.tui.plain import plain


def _jsonable(value: Any) -> Any:
    """Times as ISO 8601 strings (boto3 returns datetimes), everything else as it is."""
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def as_json(raw: dict[str, Any]) -> str:
    return json.dumps(_jsonable(raw), indent=2, ensure_ascii=False)


def as_yaml(raw: dict[str, Any]) -> str:
    import yaml

    # Control characters are written escaped, in double quotes: others' text stays inert.
    return str(yaml.safe_dump(_jsonable(raw), sort_keys=False, allow_unicode=True, width=10**6))


class RawScreen(Screen[None]):
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back"),
        Binding("j", "switch", "JSON/YAML", tooltip="Show it as JSON, or as YAML again"),
        Binding("y", "copy", "Copy", tooltip="Copy the whole response as shown (OSC 52)"),
    ]

    def __init__(self, job: TrainingJob) -> None:
        super().__init__()
        self.job = job
        self.format = "yaml"

    def compose(self) -> ComposeResult:
        yield Static("", id="raw-title", markup=False)
        with VerticalScroll(id="raw-box"):
            yield RawText(id="raw-text")
        yield Footer()

    def on_mount(self) -> None:
        self._show()

    @property
    def document(self) -> str:
        return as_yaml(self.job.raw) if self.format == "yaml" else as_json(self.job.raw)

    def _show(self) -> None:
        title = f"{self.job.name}  ·  Describe{self.job.kind.shape}  ·  {self.format.upper()}"
        self.query_one("#raw-title", Static).update(plain(title, style="bold"))
        self.query_one(RawText).show(self.document)

    def action_switch(self) -> None:
        self.format = "json" if self.format == "yaml" else "yaml"
        self._show()

    def action_copy(self) -> None:
        from smtui.tui.app import SmtuiApp

        app = self.app
        assert isinstance(app, SmtuiApp)
        app.copy(self.document, f"{self.format.upper()} of {self.job.name}")


class RawText(Static):
    """The document, wrapped at the screen's edge (its box scrolls)."""

    DEFAULT_CSS = """
    RawText {
        padding: 0 1;
    }
    """

    def show(self, document: str) -> None:
        text = plain(document)
        text.overflow = "fold"
        self.update(text)
