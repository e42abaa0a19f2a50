"""Now, as the app sees it: `SmtuiApp.clock`, which snapshot tests fix."""

from __future__ import annotations

import datetime as dt
from typing import Any

from textual.app import App


def app_now(app: App[Any]) -> dt.datetime:
    """The app's clock if it has one, else the real time."""
    clock = getattr(app, "clock", None)
    return clock() if clock is not None else dt.datetime.now(dt.UTC)
