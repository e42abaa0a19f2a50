"""The user's settings: `settings.json` in smtui's config folder, kept by smtui.

It holds what the user chose once and wants kept (the theme, read-only mode). smtui writes
it itself (the theme picked in the palette); a user may edit it. A value of the wrong
kind there is bad input: an error naming the file and the key, never ignored silently,
since a `readonly` that does not take would send what the user meant to forbid.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smtui.core.errors import UsageError

if TYPE_CHECKING:
    from smtui.core.hostmetrics import Thresholds


def config_dir() -> Path:
    """`$SMTUI_CONFIG_DIR`, else `$XDG_CONFIG_HOME/smtui`, else `~/.config/smtui`."""
    if folder := os.environ.get("SMTUI_CONFIG_DIR"):
        return Path(folder)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "smtui"


def settings_path() -> Path:
    return config_dir() / "settings.json"


def load_settings() -> dict[str, Any]:
    """The settings as saved; empty when there are none or the file is not a JSON object
    (the theme is then the default: nothing is at stake)."""
    try:
        settings = json.loads(settings_path().read_text())
    except (OSError, ValueError):
        return {}
    return settings if isinstance(settings, dict) else {}


def remember(key: str, value: object) -> None:
    """Keep `key: value` for the next start (`remember_all`)."""
    remember_all({key: value})


def remember_all(values: dict[str, object]) -> None:
    """Keep each `key: value` for the next start (best effort: a read-only home is not an
    error). A file that is not a JSON object is left as it is: it is the user's, and
    writing over it would lose what they wrote (a `readonly` with a typo in the file)."""
    path = settings_path()
    try:
        settings = json.loads(path.read_text()) if path.exists() else {}
    except (OSError, ValueError):
        return
    if not isinstance(settings, dict):
        return
    settings.update(values)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings, indent=2) + "\n")
    except OSError:
        pass


def readonly_setting() -> bool:
    """Whether the settings turn read-only mode on (`"readonly": true`).

    A file that cannot be read as JSON while it mentions `readonly` is an error, as is a
    value that is not true or false: the user asked for something smtui cannot be sure of."""
    path = settings_path()
    try:
        text = path.read_text()
    except OSError:
        return False
    try:
        settings = json.loads(text)
    except ValueError as exc:
        if "readonly" not in text:
            return False
        raise UsageError(f"{path}: not valid JSON ({exc}), so `readonly` cannot be read") from None
    value = settings.get("readonly", False) if isinstance(settings, dict) else False
    if not isinstance(value, bool):
        raise UsageError(f"{path}: readonly: must be true or false, not {json.dumps(value)}")
    return value


PLACE_KEYS = ("profile", "region")
"""The place last chosen in the app (`:profile`, `:region`), kept for its next start."""


def remembered_place() -> dict[str, str]:
    """The profile and region the app last switched to, as far as they are kept.

    smtui wrote them, but a user may have edited them: a value that is not a name is an
    error naming the file and the key."""
    settings = load_settings()
    place: dict[str, str] = {}
    for key in PLACE_KEYS:
        value = settings.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip():
            raise UsageError(f"{settings_path()}: {key}: must be a name, not {json.dumps(value)}")
        place[key] = value.strip()
    return place


def remember_place(profile: str | None, region: str | None) -> None:
    """Keep where the app points now for its next start (None: nothing named it)."""
    remember_all({"profile": profile, "region": region})


def stall_thresholds() -> Thresholds:
    """When a job in Training is flagged (`"stalls"` in the settings; defaults else). A
    key or value smtui cannot use is an error naming the file and the key."""
    from smtui.core.hostmetrics import Thresholds

    return Thresholds.from_settings(load_settings(), str(settings_path()))


def notify_command() -> list[str] | None:
    """The `"notify-command"` of the settings, as argv words (a string is split as a shell
    would, but never run by one); None when there is none. Anything else is an error naming
    the file and the key."""
    import shlex

    value = load_settings().get("notify-command")
    where = f"{settings_path()}: notify-command"
    if value is None:
        return None
    if isinstance(value, str):
        try:
            words = shlex.split(value)
        except ValueError as exc:
            raise UsageError(f"{where}: cannot be split into words ({exc})") from None
    elif isinstance(value, list) and all(isinstance(word, str) for word in value):
        words = list(value)
    else:
        raise UsageError(f"{where}: must be a command line or a list of words, not {value!r}")
    if not words:
        raise UsageError(f"{where}: is empty")
    return words
