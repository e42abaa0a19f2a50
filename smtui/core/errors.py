"""Typed errors that the CLI and the TUI show to users as plain lines."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the user's input, located as precisely as we can."""

    message: str
    """What is wrong and, where we can tell, how to fix it."""
    key: str | None = None
    """The dotted key, as the user wrote it (`submit.instance-type`), or a flag (`--param`)."""
    file: Path | None = None
    """The config file the key came from, if it came from one."""
    line: int | None = None
    """1-based line of the key in `file`."""

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        key = f"{self.key}: " if self.key else ""
        return f"{where}{key}{self.message}"


class SmtuiError(Exception):
    """Base of every error smtui shows to a user instead of a traceback."""

    exit_code = 1


class Interrupted(SmtuiError):
    """The user pressed Ctrl-C; the message says what was done before it stopped."""

    exit_code = 130


class UsageError(SmtuiError):
    """Bad input from the user (config, flags, arguments): exit code 2, nothing sent."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = Problem(problems)
        self.problems = problems if isinstance(problems, list) else [problems]
        super().__init__("\n".join(str(p) for p in self.problems))


class ConfigError(UsageError):
    """The config file (or the values layered over it) cannot be used."""
