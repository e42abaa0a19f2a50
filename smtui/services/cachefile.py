"""smtui's cache folder, and the one way a JSON file is kept in it.

What is kept there can always be asked for again (prices, settled jobs' descriptions), so
a file that cannot be written is passed over, and one is replaced whole or not at all:
two smtui processes writing the same file leave one of their versions, never a mix.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import tempfile
from pathlib import Path
from typing import Any


def cache_root() -> Path:
    """`$XDG_CACHE_HOME/smtui`, else `~/.cache/smtui`."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "smtui"


def _iso(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def keep_json(path: Path, value: Any) -> None:
    """Write `value` to `path` as JSON (times as ISO 8601), atomically; an error is passed
    over (the next reader asks again)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(handle, "w") as out:
            json.dump(value, out, default=_iso)
        os.replace(temporary, path)
    except (OSError, TypeError, ValueError):
        with contextlib.suppress(OSError):
            os.unlink(temporary)
