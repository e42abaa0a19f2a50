"""The configs pane (`3`): the job configs in the working folder, the selected one resolved
with the origin of every value and its problems, reloaded when a file changes.

The folder is watched, not the file: editors save by writing a new file and renaming it
over the old one, which ends a watch on the file itself.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
from pathlib import Path

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import WorkerCancelled, WorkerFailed

from smtui.core.config import resolve_with_problems
from smtui.core.edits import ParamRow
from smtui.core.errors import ConfigError, Problem
from smtui.core.overrides import Overrides
from smtui.core.request import entry_point_argv
from smtui.core.resolved import resolved_rows
from smtui.core.spec import JobSpec
from smtui.tui.fields import KeysInOrder, focus_now
from smtui.tui.params import param_table
from smtui.tui.plain import plain

SUFFIXES = (".yml", ".yaml")
WATCH_DEBOUNCE_MS = 200
"""How long a burst of file events settles before a reload (a save is several events)."""


def config_files(folder: Path) -> list[Path]:
    """The YAML files in `folder`, `jobber.yml` first."""
    found = sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES and p.is_file())
    return sorted(found, key=lambda p: p.name != "jobber.yml")


def describe_config(spec: JobSpec | None, problems: list[Problem], path: Path) -> RenderableType:
    """The resolved config as the pane shows it."""
    parts: list[RenderableType] = []
    if problems:
        title = Text(f"{path.name}: {len(problems)} problem(s)", style="bold red")
        parts.append(title)
        parts += [Text(f"  ✗ {problem}", style="red") for problem in problems]
    else:
        parts.append(Text(f"{path.name}: ready to submit (s)", style="bold green"))
    if spec is None:
        return Group(*parts)
    for warning in spec.warnings:
        parts.append(Text(f"  ! {warning}", style="yellow"))
    values = Table(box=None, padding=(0, 1), expand=False, title_justify="left")
    for column in ("key", "value", "origin"):
        values.add_column(column, overflow="fold")
    for key, value, origin in resolved_rows(spec):
        values.add_row(plain(key), plain(value), plain(origin.replace(str(path), path.name)))
    parts += [Text(), values]
    if spec.params:
        rows = [ParamRow(p.written, p.name, p.value, p.origin.brief) for p in spec.params]
        parts += [Text(), param_table(rows, title="hyperparameters")]
    argv = shlex.join([spec.entry_point or "", *entry_point_argv(spec)])
    parts += [Text(), Text(f"entry point argv: {argv}")]
    return Group(*parts)


class ConfigList(KeysInOrder, OptionList):
    """The configs; keys typed in one read act in order (`KeysInOrder`)."""


class ConfigsPane(Horizontal):
    """The config list on the left, the selected config resolved on the right."""

    BINDINGS = [Binding("e", "edit", "Edit", tooltip="Edit the config in $VISUAL or $EDITOR")]

    class Selected(Message):
        """The config the submit form will start from."""

        def __init__(self, path: Path) -> None:
            super().__init__()
            self.path = path

    def __init__(self, folder: Path, overrides: Overrides, initial: Path | None) -> None:
        super().__init__(id="configs")
        self.folder = folder
        self.overrides = overrides
        self.selected: Path | None = initial
        self.spec: JobSpec | None = None
        self.problems: list[Problem] = []
        self.loads = 0
        """How many times the selected config was resolved (tests wait on it)."""

    def compose(self) -> ComposeResult:
        yield ConfigList(id="configs-list")
        with VerticalScroll(id="configs-view-box"):
            yield Static("", id="configs-view", markup=False)

    def on_mount(self) -> None:
        self._scan()
        self._watch()

    def _scan(self) -> None:
        """List the configs again, keeping the selection."""
        listing = self.query_one("#configs-list", OptionList)
        try:
            paths = config_files(self.folder)
        except OSError:
            paths = []
        if self.selected is not None and self.selected not in paths and self.selected.exists():
            paths.insert(0, self.selected)  # named with --config, elsewhere
        listing.clear_options()
        listing.add_options(Option(plain(p.name), id=str(p)) for p in paths)
        if self.selected not in paths:
            self.selected = paths[0] if paths else None
        if self.selected is not None:
            listing.highlighted = paths.index(self.selected)
            self.load()
        else:
            self.query_one("#configs-view", Static).update(
                Text(f"no *.yml config in {self.folder}: `smtui init` writes one")
            )

    async def loaded(self) -> None:
        """Wait for the selected config's resolution under way, if one is."""
        for worker in list(self.workers):
            if worker.group == "config-load" and not worker.is_finished:
                with contextlib.suppress(WorkerCancelled, WorkerFailed):  # shown by the pane
                    await worker.wait()

    def focus_list(self) -> None:
        """Put the focus on the list of configs (the `3` key)."""
        focus_now(self.query_one("#configs-list", OptionList))

    @on(OptionList.OptionHighlighted, "#configs-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        path = Path(event.option.id or "")
        if path != self.selected:
            self.selected = path
            self.load()

    @work(exclusive=True, group="config-load", exit_on_error=False, thread=True)
    def load(self) -> None:
        """Resolve the selected config (in a thread: it reads files) and show it."""
        path = self.selected
        if path is None:
            return
        try:
            spec, problems = resolve_with_problems(path, self.overrides, os.environ)
        except ConfigError as exc:
            spec, problems = None, exc.problems
        self.app.call_from_thread(self._loaded, path, spec, problems)

    def _loaded(self, path: Path, spec: JobSpec | None, problems: list[Problem]) -> None:
        if path != self.selected:
            return
        self.spec, self.problems = spec, problems
        self.loads += 1
        self.query_one("#configs-view", Static).update(describe_config(spec, problems, path))
        self.post_message(self.Selected(path))

    @work(exclusive=True, group="config-watch", exit_on_error=False)
    async def _watch(self) -> None:
        from watchfiles import awatch

        async for changes in awatch(self.folder, debounce=WATCH_DEBOUNCE_MS, recursive=False):
            if any(Path(name).suffix in SUFFIXES for _, name in changes):
                self._scan()

    def action_edit(self) -> None:
        """Open the selected config in $VISUAL / $EDITOR; it reloads when the editor exits."""
        if self.selected is None:
            return
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        try:
            with self.app.suspend():
                subprocess.run([*shlex.split(editor), str(self.selected)], check=False)
        except Exception as exc:  # no such editor, or no terminal to hand over (headless)
            self.notify(f"cannot run {editor}: {exc}", severity="error")
        self.load()
