"""A submit as the form edits it: the config's values with the form's changes on top.

The form holds text (what the user typed); `check_draft` turns it into a resolved `JobSpec`
through the same resolution the CLI uses (a form value is one more layer, shown with the
origin `form`), and says everything that is wrong, what the entry point will get, and what
the job may cost. The form only shows a `CheckedDraft`; it never builds requests itself.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from smtui.core.config import Overrides, resolve_with_problems
from smtui.core.edits import ParamRow, param_lines
from smtui.core.errors import ConfigError, Problem
from smtui.core.hyperparams import Hyperparameter, RawParam, normalise_key
from smtui.core.instances import load_catalogue
from smtui.core.origin import Origin
from smtui.core.request import entry_point_argv
from smtui.core.spec import JobSpec

FORM = "form"
DISTRIBUTIONS = ("none", "torch_distributed", "mpi")


@dataclass(frozen=True)
class Draft:
    """The form's fields, as typed."""

    instance_type: str
    instance_count: str
    distribution: str
    use_spot: bool
    max_wait: str
    max_run: str
    volume: str
    params: str
    """Hyperparameters, one `name=value` per line."""

    @classmethod
    def from_spec(cls, spec: JobSpec) -> Draft:
        """The form as it opens: the config's resolved values."""
        return cls(
            instance_type=spec.instance_type,
            instance_count=str(spec.instance_count),
            distribution=spec.distribution,
            use_spot=spec.use_spot,
            max_wait=str(spec.max_wait_seconds or ""),
            max_run=str(spec.max_run_seconds),
            volume=str(spec.volume_size_gb),
            params="\n".join(f"{p.written}={p.value}" for p in spec.params),
        )

    def but(self, **changes: object) -> Draft:
        """A copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass
class CheckedDraft:
    """What the draft resolves to, and everything the form shows about it."""

    spec: JobSpec | None
    """None when the config file itself cannot be read."""
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows: list[ParamRow] = field(default_factory=list)
    argv: list[str] = field(default_factory=list)
    hourly_cost: float | None = None
    """USD an hour for all the instances (on-demand, us-east-1)."""
    max_cost: float | None = None
    """USD if the job runs its whole maximum runtime."""

    @property
    def ok(self) -> bool:
        return self.spec is not None and not self.problems


def _number(text: str, label: str, problems: list[str], *, optional: bool = False) -> int | None:
    text = text.strip()
    if not text and optional:
        return None
    if not text.isdigit():
        problems.append(f"{label}: '{text}' is not a whole number")
        return None
    return int(text)


def _param_layer(text: str, original: list[Hyperparameter], problems: list[str]) -> list[RawParam]:
    """The typed lines as one layer; an untouched line keeps its place in the file and its
    YAML type (`true` stays a boolean; a line typed in the form is text)."""
    from_file = {(p.name, p.value): p for p in original}
    lines, bad = param_lines(text, "hyperparameters line")
    problems += bad
    layer = []
    for _, written, value in lines:
        kept = from_file.get((normalise_key(written), value))
        if kept is None:
            layer.append(RawParam(written, value, Origin.flag(FORM)))
        else:
            layer.append(RawParam(written, json.loads(kept.encoded), kept.origin))
    return layer


def check_draft(
    path: Path,
    draft: Draft,
    original: JobSpec,
    base: Overrides | None = None,
    environ: Mapping[str, str] | None = None,
) -> CheckedDraft:
    """Resolve `path` with `base` (the command line's flags) and the form's fields on top."""
    problems: list[str] = []
    overrides = Overrides(values=dict(base.values) if base else {}, params=[])
    for attr, value in (
        ("instance_type", draft.instance_type.strip()),
        ("distribution", draft.distribution),
        ("use_spot", draft.use_spot),
        ("instance_count", _number(draft.instance_count, "instance count", problems)),
        ("max_run_seconds", _number(draft.max_run, "max runtime", problems)),
        ("volume_size_gb", _number(draft.volume, "volume size", problems)),
        ("max_wait_seconds", _number(draft.max_wait, "max wait", problems, optional=True)),
    ):
        if value != getattr(original, attr):
            overrides.set(attr, value, FORM)
    overrides.all_params = _param_layer(draft.params, original.params, problems)
    try:
        spec, found = resolve_with_problems(
            path, overrides, os.environ if environ is None else environ
        )
    except ConfigError as exc:
        return CheckedDraft(None, [str(p) for p in exc.problems])
    checked = CheckedDraft(spec, problems + [_plain(p) for p in found], list(spec.warnings))
    checked.rows = [
        ParamRow(p.written, p.name, p.value, p.origin.brief if p.origin.detail != FORM else FORM)
        for p in spec.params
    ]
    checked.argv = entry_point_argv(spec)
    instance = load_catalogue().get(spec.instance_type)
    if instance is not None:
        checked.hourly_cost = instance.hourly_cost(spec.instance_count)
        if checked.hourly_cost is not None:
            checked.max_cost = checked.hourly_cost * spec.max_run_seconds / 3600
    return checked


def _plain(problem: Problem) -> str:
    """A problem as the form lists it: the form's own values are named as fields."""
    return str(problem).replace(f"(from {FORM})", "(in the form)")
