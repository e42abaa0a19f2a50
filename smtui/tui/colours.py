"""Colours that carry meaning (job status, hosts), taken from the current theme.

A theme may set `status-inprogress`, `status-failed`, … and `host-1` … `host-8` among its
variables; without them, statuses use the theme's semantic colours.
"""

from __future__ import annotations

from typing import Any

from rich.style import Style
from rich.text import Text
from textual.app import App

STATUS_FALLBACK = {
    "InProgress": "accent",
    "Completed": "success",
    "Failed": "error",
    "Stopping": "warning",
    "Stopped": "warning",
}
HOST_FALLBACK = ("#5fafff", "#ffaf5f", "#87d787", "#d787d7", "#d7d75f", "#5fd7d7", "#ff8787",
                 "#afafff")  # fmt: skip


def status_colour(app: App[Any], status: str) -> str:
    variables = app.theme_variables
    own = variables.get(f"status-{status.lower()}")
    if own:
        return own
    return variables.get(STATUS_FALLBACK.get(status, "foreground"), "")


def status_text(app: App[Any], status: str) -> Text:
    """A status cell in its colour."""
    colour = status_colour(app, status)
    return Text(status, style=Style.parse(colour) if colour else "")


def host_colours(app: App[Any]) -> list[str]:
    """One colour per host, in host order (they repeat past the eighth)."""
    variables = app.theme_variables
    return [variables.get(f"host-{i + 1}", fallback) for i, fallback in enumerate(HOST_FALLBACK)]
