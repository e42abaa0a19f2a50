"""Where smtui keeps its own files: `$SMTUI_HOME`, else the XDG data folder.

The home holds local jobs (their hyperparameters, environment and logs), the local bucket
and caches of file names: the user's, not the machine's. So it is made private (0700) when
smtui first asks for it, which keeps everything under it private whatever the modes of
the files a job's script writes.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE = 0o700


def home_path() -> Path:
    """`$SMTUI_HOME`, else `$XDG_DATA_HOME/smtui`, else `~/.local/share/smtui`."""
    if home := os.environ.get("SMTUI_HOME"):
        return Path(home)
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "smtui"


def smtui_home() -> Path:
    """The home folder, created private (0700) if missing, and made private if it is ours
    and others can reach into it."""
    home = home_path()
    try:
        home.mkdir(mode=PRIVATE, parents=True, exist_ok=True)
        info = home.stat()
        if info.st_uid == os.geteuid() and info.st_mode & 0o077:
            home.chmod(PRIVATE)
    except OSError:
        pass  # an unusable home is reported by whatever first writes to it, with its path
    return home
