"""Text written by others, as widgets show it: never markup, never raw control characters.

Rich and Textual read a plain `str` as markup: a hyperparameter `[/opt/ml/x]` or a filter
`[/]` raises `MarkupError`, and `[link=…]click[/link]` becomes a hidden link. A `Text` is
never parsed, so every string that came from a log, a job, S3 or a file goes through
`plain` before it reaches a table cell, a label or a tree node.
"""

from __future__ import annotations

from rich.text import Text

from smtui.core.safetext import clean


def plain(text: object, style: str = "") -> Text:
    """`text` as a `Text` that is drawn as written (controls made visible, `^[`)."""
    return Text(clean(str(text), multiline=True), style=style)
