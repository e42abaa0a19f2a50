"""What the command line or a form sets on top of a config, and where the config is.

Apart from `config.py` so that a command with no config to read (`smtui` in a folder
without jobber.yml) does not import the config's whole resolution and checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smtui.core.hyperparams import RawParam

DEFAULT_CONFIG = Path("jobber.yml")


@dataclass
class Overrides:
    """What the command line (or a form) sets on top of the file and the environment."""

    values: dict[str, tuple[Any, str]] = field(default_factory=dict)
    """`JobSpec` attribute -> (value, the flag that set it)."""
    params: list[str] = field(default_factory=list)
    """Raw `--param KEY=VALUE` strings, in order."""
    all_params: list[RawParam] | None = None
    """When set (by a form that edits the whole list), these replace the file's `params`."""
    entries: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    """Mapping attributes (`environment`, `tags`, `channels`) → (key, value, flag) entries
    added on top of the file's mapping, each keeping its flag as its origin."""

    def set(self, attr: str, value: Any, flag: str) -> None:
        """Record `value` for `attr` unless the flag was not given (None)."""
        if value is not None:
            self.values[attr] = (value, flag)

    def clear(self, attr: str, flag: str) -> None:
        """Put `attr` back to its built-in default whatever the file says (a form whose
        optional field was emptied: no retries, no VPC, no KMS key)."""
        self.values[attr] = (CLEARED, flag)


CLEARED = object()
"""An override's value for "back to the default" (`Overrides.clear`)."""
