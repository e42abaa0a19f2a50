"""Now and here, as the app shows them: `SmtuiApp.clock` (snapshot tests fix it), and
paths relative to the working folder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from textual.app import App


def app_now(app: App[Any]) -> dt.datetime:
    """The app's clock if it has one, else the real time."""
    clock = getattr(app, "clock", None)
    return clock() if clock is not None else dt.datetime.now(dt.UTC)


def near(path: Path) -> Path:
    """`path` relative to the working folder when it is inside it, else as it is."""
    here = Path.cwd()
    return path.relative_to(here) if path.is_relative_to(here) else path
