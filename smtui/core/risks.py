"""Warnings about a resolved config that is valid but risky: metric regexes that can
backtrack exponentially, environment variables that look like secrets.

They do not stop a submit (the user may know better); they are shown by `smtui submit`,
`--dry-run` and the TUI's config pane, with the rest of `spec.warnings`.
"""

from __future__ import annotations

from smtui.core.regexrisk import metric_warnings
from smtui.core.secrets import secret_env_warnings
from smtui.core.spec import JobSpec


def hostile_warnings(spec: JobSpec) -> list[str]:
    """Every risk warning for `spec`."""
    warnings: list[str] = []
    if spec.metric_definitions:
        warnings += metric_warnings(
            ((m.name, m.regex) for m in spec.metric_definitions),
            str(spec.origin("metric_definitions")),
        )
    if spec.environment:
        warnings += secret_env_warnings(spec.environment, str(spec.origin("environment")))
    return warnings
