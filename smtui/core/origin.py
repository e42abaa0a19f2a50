"""Where a resolved value came from: a flag, the environment, the config file, or a default."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from smtui.core.errors import Problem


class Source(StrEnum):
    """The layers of configuration, highest precedence first."""

    FLAG = "flag"
    ENV = "env"
    PROFILE = "profile"
    """The user's AWS config file, for the profile in use (the region only)."""
    FILE = "file"
    DEFAULT = "default"


@dataclass(frozen=True)
class Origin:
    """The origin of one value, precise enough to point the user at it."""

    source: Source
    detail: str = ""
    """The flag (`--instance-type`), variable (`AWS_REGION`) or note for a default."""
    file: Path | None = None
    line: int | None = None

    @classmethod
    def flag(cls, name: str) -> Origin:
        return cls(Source.FLAG, name)

    @classmethod
    def env(cls, name: str) -> Origin:
        return cls(Source.ENV, name)

    @classmethod
    def profile(cls, where: str) -> Origin:
        return cls(Source.PROFILE, where)

    @classmethod
    def in_file(cls, file: Path, line: int | None) -> Origin:
        return cls(Source.FILE, "", file, line)

    @classmethod
    def default(cls, note: str = "built-in") -> Origin:
        return cls(Source.DEFAULT, note)

    @property
    def brief(self) -> str:
        """As `str`, with a file named without its folder (`jobber.yml:20`): for a table
        shown beside the file's own name."""
        if self.source is Source.FILE and self.file is not None:
            return f"{self.file.name}:{self.line}" if self.line else self.file.name
        return str(self)

    def __str__(self) -> str:
        if self.source is Source.FILE:
            return f"{self.file}:{self.line}" if self.line else str(self.file)
        if self.source is Source.DEFAULT:
            return f"default ({self.detail})" if self.detail else "default"
        return self.detail

    def problem(self, message: str, key: str | None = None) -> Problem:
        """A `Problem` located at this origin."""
        if self.source is Source.FILE:
            return Problem(message, key, self.file, self.line)
        if self.source is Source.DEFAULT:
            return Problem(message, key)
        return Problem(f"{message} (from {self.detail})", key)
