"""Value checkers for config fields: each turns a YAML value into a typed one or raises.

A checker raises `ValueError` with a message that reads after the key name, e.g.
"must be a whole number, got the string '2'".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Checker = Callable[[Any], Any]


def describe(value: Any) -> str:
    """A short phrase naming a YAML value and its type, for error messages."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string '{value}'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


def text(value: Any) -> str:
    """A non-empty string."""
    if not isinstance(value, str):
        raise ValueError(f"must be a string, got {describe(value)}")
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def version_text(value: Any) -> str:
    """A version string; a bare YAML number would lose trailing zeros (2.10 → 2.1)."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        raise ValueError(
            f"must be quoted: YAML read the number {value}, and numbers lose digits "
            '(2.10 becomes 2.1); write it as a string, e.g. version: "2.10"'
        )
    return text(value)


def flag(value: Any) -> bool:
    """A YAML boolean (true/false)."""
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, got {describe(value)}")
    return value


def whole(minimum: int | None = None, maximum: int | None = None) -> Checker:
    """A whole number within bounds (none: the API model's, checked with the request)."""

    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"must be a whole number, got {describe(value)}")
        if minimum is not None and value < minimum:
            raise ValueError(f"must be at least {minimum}, got {value}")
        if maximum is not None and value > maximum:
            raise ValueError(f"must be at most {maximum}, got {value}")
        return value

    return check


def amount(value: Any) -> float:
    """A sum of money in USD: a number above zero (`250`, `99.5`)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"must be an amount in USD such as 250, got {describe(value)}")
    if not value > 0 or value == float("inf"):
        raise ValueError(f"must be above 0, got {value}")
    return float(value)


def choice(*options: str) -> Checker:
    """One of a fixed set of strings (case-insensitive)."""

    def check(value: Any) -> str:
        if isinstance(value, bool) and "none" in options and value is False:
            return "none"
        if not isinstance(value, str) or value.lower() not in options:
            raise ValueError(f"must be one of {', '.join(options)}; got {describe(value)}")
        return value.lower()

    return check


def matching(pattern: str, what: str) -> Checker:
    """A string matching a regular expression, described as `what` in errors.

    ASCII-only classes: `\\d` must not accept `٣` in a region or an account ID."""
    compiled = re.compile(pattern, re.ASCII)

    def check(value: Any) -> str:
        given = text(value)
        if not compiled.fullmatch(given):
            raise ValueError(f"'{given}' is not {what}")
        return given

    return check


def scalar_text(value: Any) -> str:
    """A scalar given as text: numbers and booleans are written the way YAML shows them."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return value
    raise ValueError(f"must be a string, got {describe(value)}")


def text_mapping() -> Checker:
    """A mapping of names to scalar values, both as strings. What names and how many the
    API takes is its model's to say (tags, environment, channels): the request check reads
    it there and names the entry and its line."""

    def check(value: Any) -> dict[str, str]:
        if not isinstance(value, dict):
            raise ValueError(f"must be a mapping of names to values, got {describe(value)}")
        out: dict[str, str] = {}
        for k, v in value.items():
            name = text(str(k))
            try:
                out[name] = scalar_text(v)
            except ValueError as exc:
                raise ValueError(f"entry '{name}' {exc}") from None
        return out

    return check
