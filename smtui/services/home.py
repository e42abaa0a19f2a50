"""Where smtui keeps its own files: `$SMTUI_HOME`, else the XDG data folder."""

from __future__ import annotations

import os
from pathlib import Path


def smtui_home() -> Path:
    """`$SMTUI_HOME`, else `$XDG_DATA_HOME/smtui`, else `~/.local/share/smtui`."""
    if home := os.environ.get("SMTUI_HOME"):
        return Path(home)
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "smtui"
