"""A resolved spec as rows to show: key, value and where the value came from (the
`smtui config` table and the configs view)."""

from __future__ import annotations

from typing import Any

from smtui.core.schema import FIELDS
from smtui.core.secrets import masked_environment, redact_url
from smtui.core.spec import JobSpec


def value_text(value: Any) -> str:
    """A resolved value as one line of text: `true`, `k=v, k2=v2`, `a, b`."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items()) or "{}"
    if isinstance(value, list):
        return ", ".join(value_text(getattr(v, "name", v)) for v in value) or "[]"
    if hasattr(value, "__dataclass_fields__"):
        return ", ".join(f"{k}={v}" for k, v in vars(value).items() if v is not None)
    return str(value)


def resolved_rows(spec: JobSpec) -> list[tuple[str, str, str]]:
    """(key, value, origin) for every value the spec has, in the config reference's order.
    Values are for showing: URL passwords and secret-looking environment values masked."""

    def shown(attr: str) -> str:
        value = getattr(spec, attr)
        if attr == "environment":
            value = masked_environment(value)
        return redact_url(value_text(value))

    return [
        (f.name, shown(f.attr), str(spec.origin(f.attr)))
        for f in FIELDS
        if getattr(spec, f.attr) is not None
    ]
