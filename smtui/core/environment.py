"""smtui's own environment variables (and the AWS ones it honours), checked up front.

A bad value must stop every command with a plain message, not be ignored by the commands
that resolve leniently, nor crash a detached local supervisor later ("the job failed at
once"). `environment_problems` is run by the CLI before any command, the TUI included.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from smtui.core.errors import Problem

MAX_ATTEMPTS = 100
"""The most tries smtui lets botocore make per call: more is a typo (`10^23`), not a policy;
botocore itself sets no ceiling and would retry for ever."""
BACKENDS = ("aws", "local")
RETRY_MODES = ("standard", "adaptive", "legacy")
SECONDS = ("SMTUI_LOCAL_STOP_GRACE", "SMTUI_LOCAL_CHECKPOINT_EVERY")
"""Variables that hold a number of seconds (a finite number ≥ 0)."""


def max_attempts(text: str) -> int:
    """`AWS_MAX_ATTEMPTS` as a number of tries; raises `ValueError` with the reason."""
    text = text.strip()
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_ATTEMPTS:
        raise ValueError(f"'{text}' is not a whole number of tries from 1 to {MAX_ATTEMPTS}")
    return int(text)


def _seconds(text: str) -> str | None:
    try:
        value = float(text)
    except ValueError:
        return f"'{text}' is not a number of seconds"
    if not math.isfinite(value) or value < 0:
        return f"'{text}' is not a number of seconds ≥ 0"
    return None


def environment_problems(environ: Mapping[str, str]) -> list[Problem]:
    """Every variable smtui reads whose value it cannot use, named with the reason."""
    problems: list[Problem] = []
    backend = environ.get("SMTUI_BACKEND", "").strip()
    if backend and backend.lower() not in BACKENDS:
        hint = " (Vertex AI is not supported)" if backend.lower() == "gcp" else ""
        problems.append(
            Problem(
                f"'{backend}' is not a backend smtui has: use aws or local{hint}", "SMTUI_BACKEND"
            )
        )
    for name in SECONDS:
        if name in environ and (why := _seconds(environ[name])):
            problems.append(Problem(why, name))
    attempts = environ.get("AWS_MAX_ATTEMPTS", "").strip()
    if attempts:
        try:
            max_attempts(attempts)
        except ValueError as exc:
            problems.append(Problem(str(exc), "AWS_MAX_ATTEMPTS"))
    mode = environ.get("AWS_RETRY_MODE", "").strip()
    if mode and mode not in RETRY_MODES:
        problems.append(Problem(f"'{mode}' is not {', '.join(RETRY_MODES)}", "AWS_RETRY_MODE"))
    return problems
