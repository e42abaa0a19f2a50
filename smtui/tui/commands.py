"""The `:` command line's commands (k9s's habit): what each takes, how a line is read, and
how the word being typed completes.

Pure: the widget (`commandline.py`) gives the candidates (the listed jobs, the profiles in
the AWS files, the regions botocore knows) and shows what comes back.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class CommandSpec:
    name: str
    doc: str
    arg: str | None = None
    """What it takes (`NAME`), or None for nothing."""
    completes: str | None = None
    """The kind of name its argument completes from: `jobs`, `profiles` or `regions`."""


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("jobs", "the training jobs and the selected job's logs (1)"),
    CommandSpec("tuning", "the hyperparameter tuning jobs; enter lists one's training jobs"),
    CommandSpec("processing", "the processing jobs and the selected job's logs"),
    CommandSpec("data", "the selected config's S3 data and its sync (2)"),
    CommandSpec("configs", "the configs in this folder (3)"),
    CommandSpec("job", "jump to a job, listed or not", "NAME", "jobs"),
    CommandSpec("profile", "switch the AWS profile: every pane follows", "NAME", "profiles"),
    CommandSpec("region", "switch the AWS region: every pane follows", "NAME", "regions"),
    CommandSpec("help", "every key"),
    CommandSpec("q", "quit smtui"),
)
BY_NAME = {spec.name: spec for spec in COMMANDS}
ALIASES = {"quit": "q", "q!": "q"}


class CommandError(ValueError):
    """A line that is not a command: the message says what would be."""


@dataclass(frozen=True)
class Command:
    name: str
    arg: str | None = None


def usage(spec: CommandSpec) -> str:
    """`:job NAME`."""
    return f":{spec.name}" + (f" {spec.arg}" if spec.arg else "")


def parse(line: str) -> Command:
    """The command `line` (with or without its `:`) asks for. Raises `CommandError`."""
    text = line.strip().removeprefix(":").strip()
    names = ", ".join(usage(spec) for spec in COMMANDS)
    if not text:
        raise CommandError(f"type a command: {names}")
    word, _, rest = text.partition(" ")
    spec = BY_NAME.get(ALIASES.get(word, word))
    if spec is None:
        close = difflib.get_close_matches(word, [*BY_NAME, *ALIASES], n=1)
        guess = f" (did you mean :{close[0]}?)" if close else ""
        raise CommandError(f"there is no command :{word}{guess}; the commands: {names}")
    arg = rest.strip()
    if spec.arg is None:
        if arg:
            raise CommandError(f":{spec.name} takes nothing, but was given '{arg}'")
        return Command(spec.name)
    if not arg:
        raise CommandError(f":{spec.name} needs a {spec.arg}: {usage(spec)}")
    if len(arg.split()) > 1:
        raise CommandError(f":{spec.name} takes one {spec.arg}, but was given '{arg}'")
    return Command(spec.name, arg)


Candidates = Callable[[str], Sequence[str]]
"""The names of a kind (`jobs`, `profiles`, `regions`), in the order to offer them."""


@dataclass(frozen=True)
class Word:
    """The word being typed at the end of a line, and what it may become."""

    head: str
    """The line before the word (`:job `), kept as it is."""
    word: str
    matches: list[str]
    takes_more: bool
    """Whether a space follows a whole match (a command that takes a name)."""


def word_at_end(line: str, candidates: Candidates) -> Word:
    """The last word of `line` and the names it is the start of."""
    colon = ":" if line.startswith(":") else ""
    text = line.removeprefix(":")
    if " " not in text.lstrip():
        word = text.strip()
        names = [spec.name for spec in COMMANDS]
        matches = [name for name in names if name.startswith(word)]
        takes = {name: BY_NAME[name].arg is not None for name in names}
        return Word(colon, word, matches, len(matches) == 1 and takes[matches[0]])
    command, _, arg = text.lstrip().partition(" ")
    spec = BY_NAME.get(ALIASES.get(command, command))
    head = line[: len(line) - len(arg.lstrip())]
    if spec is None or spec.completes is None or len(arg.split()) > 1:
        return Word(head, arg.strip(), [], False)
    word = arg.strip()
    matches = [name for name in candidates(spec.completes) if name.startswith(word)]
    return Word(head, word, matches, False)


class Completer:
    """Tab: the word completes as far as its matches agree; Tab again, at that point,
    steps through the matches one by one (and round again)."""

    def __init__(self, candidates: Candidates) -> None:
        self.candidates = candidates
        self._menu: tuple[str, list[str], int] | None = None
        """(the line a Tab last gave, the matches it steps through, the one shown)."""

    def tab(self, line: str) -> str:
        """`line` after one Tab."""
        if self._menu is not None and self._menu[0] == line:
            _, matches, index = self._menu
            index = (index + 1) % len(matches)
            done = self._with(line, matches[index])
            self._menu = (done, matches, index)
            return done
        self._menu = None
        word = word_at_end(line, self.candidates)
        if not word.matches:
            return line
        if len(word.matches) == 1:
            return word.head + word.matches[0] + (" " if word.takes_more else "")
        common = os.path.commonprefix(word.matches)
        if len(common) > len(word.word):
            return word.head + common
        done = word.head + word.matches[0]
        self._menu = (done, word.matches, 0)
        return done

    @staticmethod
    def _with(line: str, name: str) -> str:
        head = line[: line.rfind(" ") + 1] if " " in line else (":" if line.startswith(":") else "")
        return head + name
