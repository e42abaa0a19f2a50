"""Text written by others, made safe to put on a terminal.

Log lines, failure reasons, hyperparameters, tags, S3 keys and file names are written by other
people and programs. A terminal obeys whatever control sequences reach it: an OSC 52 in a log
line sets the user's clipboard, OSC 0 renames the window, `ESC [ ? 1049 h` switches screens.
So every such string goes through `clean` before it is printed or drawn: C0 controls, DEL
and the C1 range are shown as visible escapes (`^[`, `^G`, `^?`, `<9b>`), tabs stay (and
newlines, where the text is more than one line), and lone surrogates (which cannot be
encoded and would stop a printer) become U+FFFD.

The common case, a clean line, costs one regex search and returns the same string.
"""

from __future__ import annotations

import re

# C0 (U+0000..U+001F) but tab (and newline for multi-line text), DEL, C1 (U+0080..U+009F),
# lone surrogates.
_UNSAFE_ONE_LINE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")
_UNSAFE_MULTI_LINE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _visible(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return "^" + chr(code + 0x40)
    if code == 0x7F:
        return "^?"
    if code <= 0x9F:
        return f"<{code:02x}>"
    return "\ufffd"


def _replace(match: re.Match[str]) -> str:
    return _visible(match.group())


def clean(text: str, *, multiline: bool = False) -> str:
    """`text` with every control character made visible (tabs kept; newlines kept when
    `multiline`), safe to print to a terminal or to draw in a widget."""
    pattern = _UNSAFE_MULTI_LINE if multiline else _UNSAFE_ONE_LINE
    if pattern.search(text) is None:
        return text
    return pattern.sub(_replace, text)


_SURROGATES = re.compile("[\ud800-\udfff]")


def without_surrogates(text: str) -> str:
    """`text` as written, controls and all, but with lone surrogates made U+FFFD: for
    output the user asked to get raw (`smtui logs --raw`), which must still encode."""
    if _SURROGATES.search(text) is None:
        return text
    return _SURROGATES.sub("\ufffd", text)


def is_clean(text: str, *, multiline: bool = False) -> bool:
    """True when `clean` would return `text` unchanged."""
    pattern = _UNSAFE_MULTI_LINE if multiline else _UNSAFE_ONE_LINE
    return pattern.search(text) is None
