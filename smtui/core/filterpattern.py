"""CloudWatch Logs filter patterns for unstructured lines, where smtui must apply them itself.

On AWS, `smtui logs --filter-pattern` is passed to FilterLogEvents and CloudWatch filters.
The local backend has no CloudWatch, so it matches here, the text forms only:

- `ERROR timeout`: every term appears (case-sensitive, anywhere in the line);
- `"Internal Server Error"`: a phrase in double quotes, as one term;
- `-DEBUG`, `-"health check"`: the term must not appear;
- `?ERROR ?WARN`: at least one of the `?` terms appears;
- `%regex%`: the line matches the regular expression (`%\\d+ ms%`).

JSON patterns (`{ $.level = "error" }`) and space-delimited ones (`[ip, user, ...]`) need
CloudWatch: `parse` refuses them with a message that says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKEN = re.compile(r'([-?]?)(?:"((?:[^"\\]|\\.)*)"|%([^%]*)%|(\S+))')


@dataclass(frozen=True)
class FilterPattern:
    """A parsed text pattern; `matches` says whether a line passes it."""

    required: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()
    regexes: tuple[re.Pattern[str], ...] = field(default=())

    def matches(self, message: str) -> bool:
        if any(term in message for term in self.excluded):
            return False
        if not all(term in message for term in self.required):
            return False
        if self.any_of and not any(term in message for term in self.any_of):
            return False
        return all(regex.search(message) for regex in self.regexes)


def parse(pattern: str) -> FilterPattern:
    """`pattern` as a `FilterPattern`; ValueError (with what to do) when it is not one of
    the text forms or a `%regex%` does not compile."""
    text = pattern.strip()
    if text.startswith(("{", "[")):
        raise ValueError(
            "JSON and space-delimited patterns ({ ... } and [ ... ]) are applied by CloudWatch "
            'only: on the local backend use text terms, "phrases", -exclusions, ?alternatives '
            "or %regex%, or --filter REGEX"
        )
    required: list[str] = []
    excluded: list[str] = []
    any_of: list[str] = []
    regexes: list[re.Pattern[str]] = []
    position = 0
    while position < len(text):
        if text[position].isspace():
            position += 1
            continue
        found = _TOKEN.match(text, position)
        if found is None or (text[position] == '"' and found.group(2) is None):
            raise ValueError(f"a double quote at column {position + 1} is not closed")
        sign, quoted, regex, bare = found.groups()
        position = found.end()
        if regex is not None:
            try:
                regexes.append(re.compile(regex))
            except re.error as exc:
                raise ValueError(f"%{regex}% is not a valid regular expression: {exc}") from None
            continue
        term = re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else bare  # \" and \\
        {"-": excluded, "?": any_of}.get(sign, required).append(term)
    return FilterPattern(tuple(required), tuple(excluded), tuple(any_of), tuple(regexes))
