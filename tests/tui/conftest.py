"""TUI fixtures: a fixed time zone, and a way to wait on the app's state, not on time."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from textual.app import App
from textual.pilot import Pilot

from smtui.tui.app import SmtuiApp


async def until(
    pilot: Pilot[Any], done: Callable[[], object], what: str, timeout: float = 20.0
) -> None:
    """Let the app run until `done()` is true; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)


async def painted(pilot: Pilot[Any], view: Any) -> None:
    """Let a `LogView` paint what was written (it paints at most 30 times a second)."""
    await until(pilot, lambda: not view.paint_pending, "the log view's paint")
    await pilot.pause()


def shown(widget: object) -> str:
    """The plain text a `Static`, a pane's header or the status line shows (rendered as
    Rich would)."""
    import io

    from rich.console import Console
    from textual.widgets import Static

    from smtui.tui.headers import StateLine

    assert isinstance(widget, Static | StateLine)
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(widget.content if isinstance(widget, Static) else widget.line())
    return console.export_text()


def matches(app: App[Any]) -> list[str]:
    """The first line of each option the open command palette lists."""
    from textual.command import CommandList

    found = app.screen.query(CommandList)
    if not found:
        return []
    options = found.first(CommandList)
    prompts = (options.get_option_at_index(i).prompt for i in range(options.option_count))
    return [str(prompt).split("\n")[0] for prompt in prompts]


async def follows_new_job(pilot: Pilot[Any], name: str) -> dict[str, Any]:
    """The just-submitted job selected with its logs following; its description from moto."""
    app = pilot.app
    assert isinstance(app, SmtuiApp)
    await until(pilot, lambda: app.jobs.selected == name, "the new job selected")
    assert app.logs.job == name and app.logs.follow
    described: dict[str, Any] = boto3.client(
        "sagemaker", region_name="us-east-1"
    ).describe_training_job(TrainingJobName=name)
    return described


def burst(app: App[Any], *keys: str) -> None:
    """Keys as a terminal read delivers them: all queued on the app at once, none waiting
    for the one before it to be handled (Pilot.press waits between keys, which hides
    ordering bugs)."""
    from textual import events

    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


def typed(app: App[Any], text: str) -> None:
    """`text` as one terminal read delivers it (`:job run-1\t\r`): each character as the
    key Textual names it (`colon`, `space`, `tab`, `enter`), all queued at once."""
    from textual import events
    from textual.keys import _character_to_key

    for char in text:
        if char == "\r":
            app.post_message(events.Key("enter", "\r"))
        else:
            app.post_message(events.Key(_character_to_key(char), char))


SYNCED = "  sync:\n    src: data\n"


@pytest.fixture
def data_project(project: Path) -> Path:
    project.write_text(project.read_text() + SYNCED)
    folder = project.parent / "data"
    folder.mkdir()
    for i in range(3):
        (folder / f"part-{i}.csv").write_text("x,y\n" * (1000 * (i + 1)))
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="my-bucket")
    return project


@pytest.fixture
def copied(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the app put on the terminal's clipboard (Textual writes it as OSC 52)."""
    texts: list[str] = []
    monkeypatch.setattr(SmtuiApp, "copy_to_clipboard", lambda self, text: texts.append(text))
    return texts
