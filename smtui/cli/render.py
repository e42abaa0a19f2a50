"""Plain-text views of core objects for the CLI (stderr notes, tables)."""

from __future__ import annotations

import datetime as dt
import shlex
from typing import Any

from smtui.core.request import entry_point_argv
from smtui.core.resolved import resolved_rows
from smtui.core.safetext import clean
from smtui.core.spec import JobSpec


def table(rows: list[list[str]], indent: str = "  ") -> list[str]:
    """Left-aligned columns, two spaces apart. Cells hold text from others (job fields,
    S3 keys, hyperparameters), so each is cleaned before its width is measured."""
    if not rows:
        return []
    rows = [[clean(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        indent + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def describe_spec(spec: JobSpec) -> list[str]:
    """Every resolved value with its origin, the hyperparameters, and the entry point's argv."""
    rows = [list(row) for row in resolved_rows(spec)]
    lines = [clean(f"resolved config ({spec.config_path}):"), *table(rows)]
    if spec.params:
        lines.append("hyperparameters:")
        header = [["as written", "normalised", "value", "origin"]]
        lines += table(header + [[p.written, p.name, p.value, str(p.origin)] for p in spec.params])
    argv = shlex.join([spec.entry_point or "", *entry_point_argv(spec)])
    lines.append(clean(f"entry point argv: {argv}"))
    return lines


def to_json(value: Any) -> Any:
    """Response shapes with datetimes as ISO strings, ready for json.dumps."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    return value


def human_size(n: int) -> str:
    """Object sizes for listings: right-aligned friendly units."""
    from smtui.services.sync import human_bytes

    return human_bytes(n).rjust(9)


def plural(count: int, noun: str) -> str:
    """`1 file`, `2 files`."""
    return f"{count} {noun}" + ("" if count == 1 else "s")
