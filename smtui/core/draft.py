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

from smtui.core.config import resolve_with_problems
from smtui.core.costs import CostBound, cost_bound, max_cost_problem
from smtui.core.edits import ParamRow, param_lines
from smtui.core.errors import ConfigError, Problem
from smtui.core.hyperparams import Hyperparameter, RawParam, normalise_key
from smtui.core.origin import Origin
from smtui.core.overrides import Overrides
from smtui.core.prices import PriceBook, shipped_book
from smtui.core.request import entry_point_argv
from smtui.core.spec import JobSpec, VpcSettings

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
    retry_attempts: str = ""
    """The form's advanced fields: empty text is "none" (the API's default)."""
    max_pending: str = ""
    keep_alive: str = ""
    subnets: str = ""
    """Subnet IDs, separated by commas or spaces."""
    security_groups: str = ""
    volume_kms_key: str = ""
    output_kms_key: str = ""
    network_isolation: bool = False
    inter_container_encryption: bool = False
    tensorboard: bool = False
    """On: the config's TensorBoard URI, else `s3://bucket/prefix/tensorboard/<job>/`."""

    @classmethod
    def from_spec(cls, spec: JobSpec) -> Draft:
        """The form as it opens: the config's resolved values."""
        vpc = spec.vpc
        return cls(
            instance_type=spec.instance_type,
            instance_count=str(spec.instance_count),
            distribution=spec.distribution,
            use_spot=spec.use_spot,
            max_wait=str(spec.max_wait_seconds or ""),
            max_run=str(spec.max_run_seconds),
            volume=str(spec.volume_size_gb),
            params="\n".join(f"{p.written}={p.value}" for p in spec.params),
            retry_attempts=_text(spec.retry_attempts),
            max_pending=_text(spec.max_pending_seconds),
            keep_alive=_text(spec.keep_alive_seconds),
            subnets=", ".join(vpc.subnets) if vpc else "",
            security_groups=", ".join(vpc.security_groups) if vpc else "",
            volume_kms_key=spec.volume_kms_key or "",
            output_kms_key=spec.output_kms_key or "",
            network_isolation=spec.network_isolation,
            inter_container_encryption=spec.inter_container_encryption,
            tensorboard=bool(spec.tensorboard),
        )

    @property
    def advanced(self) -> bool:
        """Whether any advanced field is set (the form opens that section when one is)."""
        texts = (
            self.retry_attempts,
            self.max_pending,
            self.keep_alive,
            self.subnets,
            self.security_groups,
            self.volume_kms_key,
            self.output_kms_key,
        )
        flags = (self.network_isolation, self.inter_container_encryption, self.tensorboard)
        return any(t.strip() for t in texts) or any(flags)

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
    bound: CostBound | None = None
    """What the job may cost (None: no price for its instance type)."""

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


def _text(value: int | None) -> str:
    return "" if value is None else str(value)


def _ids(text: str) -> list[str]:
    """IDs typed as `a, b` or `a b`."""
    return [part for part in text.replace(",", " ").split() if part]


def _advanced(draft: Draft, original: JobSpec, overrides: Overrides, problems: list[str]) -> None:
    """The advanced fields as form values on top of the config. An emptied field puts its
    key back to the default (none), so the form can take away what the file sets."""

    def put(attr: str, value: object) -> None:
        if value == getattr(original, attr):
            return
        if value is None:
            overrides.clear(attr, FORM)
        else:
            overrides.set(attr, value, FORM)

    for attr, text, label in (
        ("retry_attempts", draft.retry_attempts, "retry attempts"),
        ("max_pending_seconds", draft.max_pending, "max pending time"),
        ("keep_alive_seconds", draft.keep_alive, "keep-alive"),
    ):
        number = _number(text, label, problems, optional=True)
        if number is not None or not text.strip():
            put(attr, number)
    put("volume_kms_key", draft.volume_kms_key.strip() or None)
    put("output_kms_key", draft.output_kms_key.strip() or None)
    put("network_isolation", draft.network_isolation)
    put("inter_container_encryption", draft.inter_container_encryption)
    if draft.tensorboard != bool(original.tensorboard):
        overrides.set("tensorboard", draft.tensorboard, FORM)
    subnets, groups = _ids(draft.subnets), _ids(draft.security_groups)
    wanted = VpcSettings(tuple(subnets), tuple(groups)) if subnets or groups else None
    if wanted != original.vpc:
        if wanted is None:
            overrides.clear("vpc", FORM)
        else:  # as the file has it; the API's model says what a subnet list must hold
            overrides.set("vpc", {"subnets": subnets, "security-groups": groups}, FORM)


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
    prices: PriceBook | None = None,
) -> CheckedDraft:
    """Resolve `path` with `base` (the command line's flags) and the form's fields on top;
    costs at `prices` (default: the shipped table), and a `max-cost` it may exceed is a
    problem."""
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
    _advanced(draft, original, overrides, problems)
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
    book = prices or shipped_book()
    checked.bound = cost_bound(spec, book)
    if (over := max_cost_problem(spec, book)) is not None:
        checked.problems.append(_plain(over))
    return checked


def _plain(problem: Problem) -> str:
    """A problem as the form lists it: the form's own values are named as fields."""
    return str(problem).replace(f"(from {FORM})", "(in the form)")
