"""The hyperparameter table the configs pane, the submit form and the resubmit dialog share:
each name as written, normalised, its value and its origin."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table

from smtui.core.edits import ParamRow
from smtui.tui.plain import plain


def param_table(
    rows: Iterable[ParamRow], *, emphasise: Iterable[str] = (), title: str | None = None
) -> Table:
    """The rows as a table; those whose origin is in `emphasise` (what the user changed)
    in bold."""
    bold = set(emphasise)
    table = Table(box=None, padding=(0, 1), expand=title is None, title=title,
                  title_justify="left")  # fmt: skip
    for column in ("as written", "normalised", "value", "origin"):
        table.add_column(column, overflow="fold")
    for row in rows:
        style = "bold" if row.origin in bold else ""
        table.add_row(
            plain(row.written), plain(row.name), plain(row.value), plain(row.origin), style=style
        )
    return table
