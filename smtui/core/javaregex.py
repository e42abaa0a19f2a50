"""Java regular expressions, as the SageMaker API evaluates them, compiled for Python's `re`.

botocore's service model carries the patterns the service enforces, written for Java's
`java.util.regex` and applied with `matches()` (the whole string). Three differences from
Python matter for the patterns the model uses:
- `.` excludes every Java line terminator (`\\n`, `\\r`, U+0085, U+2028, U+2029), so a
  hyperparameter value with a newline does not match `.*`;
- `\\d`, `\\w`, `\\s` are ASCII-only (Python's are Unicode unless `re.ASCII`);
- `\\p{…}` classes: Unicode general categories (`\\p{L}`, `\\p{N}`, `\\p{Z}`, `\\p{Lu}`) and the
  ASCII POSIX classes (`\\p{Alnum}`), which Python's `re` does not know.
A pattern using anything else Java-specific (class unions and intersections, `\\Q…\\E`) is
not translated: `compile_java` returns None and the caller skips the check rather than guess.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
import re
import unicodedata

from smtui.core.apidigest import cache_folder

_LINE_TERMINATORS = "\n\r\x85\u2028\u2029"
_POSIX = {
    "Alnum": "A-Za-z0-9",
    "Alpha": "A-Za-z",
    "Digit": "0-9",
    "Upper": "A-Z",
    "Lower": "a-z",
    "XDigit": "0-9a-fA-F",
    "Space": r" \t\n\x0b\f\r",
}
"""Java's POSIX classes are ASCII-only unless UNICODE_CHARACTER_CLASS is set (it is not)."""
_PLAIN_ESCAPES = frozenset("dDsSwWbBtnrf0xu")
"""Escaped letters Python's `re` reads as Java does (under `re.ASCII`)."""
_SCANNED = (range(0x40000), range(0xE0000, 0xE1000))
"""Code points searched for a category: planes 0–3 and 14. Planes 4–13 hold no assigned
characters and 15–16 only private use (Co), so the search stays fast; a test checks this
against the whole range for the categories smtui meets."""


@functools.cache
def category_ranges(name: str) -> str:
    """A character-class body (ranges, escaped) for a Unicode general category: one
    letter (`L`, every letter) or two (`Lu`).

    Scanning the code points takes a few hundred milliseconds a category, so the result
    is kept in the user's cache, named by this Python's Unicode version."""
    path = cache_folder() / f"unicode-{unicodedata.unidata_version}-{name}.txt"
    with contextlib.suppress(OSError, UnicodeError):
        return path.read_text(encoding="utf-8", errors="surrogatepass")
    ranges: list[tuple[int, int]] = []
    for code in itertools.chain(*_SCANNED):
        if unicodedata.category(chr(code)).startswith(name):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    body = "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(body, encoding="utf-8", errors="surrogatepass")
        os.replace(temporary, path)
    return body


def _property(name: str) -> str | None:
    if name in _POSIX:
        return _POSIX[name]
    general = name.removeprefix("Is").removeprefix("general_category=").removeprefix("gc=")
    if re.fullmatch(r"[LMNPSZC][a-z]?", general):
        return category_ranges(general)
    return None


def translate(pattern: str) -> str | None:
    """`pattern` rewritten for Python's `re` (compile with `re.ASCII`), or None when it uses
    a Java feature this translation does not cover."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            if i + 1 >= len(pattern):
                return None
            nxt = pattern[i + 1]
            if nxt in "pP":
                match = re.match(r"\{(\w+)\}|(\w)", pattern[i + 2 :])
                if match is None:
                    return None
                body = _property(match.group(1) or match.group(2))
                if body is None or (in_class and nxt == "P"):
                    return None
                negate = "^" if nxt == "P" else ""
                out.append(body if in_class else f"[{negate}{body}]")
                i += 2 + match.end()
                continue
            if nxt.isascii() and nxt.isalpha() and nxt not in _PLAIN_ESCAPES:
                return None  # \Q, \z, \h, \R...: Java-only or different in Python
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            if char == "[" or pattern.startswith("&&", i):
                return None  # Java's class union and intersection
            if char == "]":
                in_class = False
        elif char == "[":
            in_class = True
            if pattern.startswith("[^", i):
                out.append("[^")
                i += 2
                continue
        elif char == ".":
            out.append(f"[^{_LINE_TERMINATORS}]")
            i += 1
            continue
        out.append(char)
        i += 1
    return None if in_class else "".join(out)


@functools.cache
def compile_java(pattern: str) -> re.Pattern[str] | None:
    """The compiled translation of a Java pattern, or None when it cannot be translated."""
    translated = translate(pattern)
    if translated is None:
        return None
    try:
        return re.compile(translated, re.ASCII)
    except re.error:
        return None


def java_length(text: str) -> int:
    """`String.length()` in Java: UTF-16 code units (a character outside the BMP counts 2),
    which is what the service's length limits count."""
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)
