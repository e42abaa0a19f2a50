"""A resubmit as the user edits it: hyperparameters as `name=value` lines, instance type and
count as text, checked as they type.

The form only shows an `EditedJob` and hands it back; this module owns the rules (one
normalisation, collisions, SageMaker's limits, known instance types) so the dialog and the
tests agree on what a valid resubmit is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from smtui.core.hyperparams import (
    TOOLKIT_PREFIX,
    Hyperparameter,
    check_limits,
    normalise_key,
    plain_value,
    render_argv,
    wire_value,
)
from smtui.core.instances import check_instance_type
from smtui.core.origin import Origin


@dataclass(frozen=True)
class ParamRow:
    """One line of the editor: as written, normalised, value, and where it came from."""

    written: str
    name: str
    value: str
    origin: str
    """`job` (unchanged), `edited`, or `added`."""


@dataclass
class EditedJob:
    """What the resubmit will change, and everything wrong with it."""

    params: dict[str, str] = field(default_factory=dict)
    """Changed or added hyperparameters, by name as written."""
    removed: list[str] = field(default_factory=list)
    """Normalised names of the job's hyperparameters the user deleted."""
    instance_type: str | None = None
    """None: unchanged."""
    instance_count: int | None = None
    """None: unchanged."""
    rows: list[ParamRow] = field(default_factory=list)
    argv: list[str] = field(default_factory=list)
    """The entry point's arguments after the edit."""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def param_lines(text: str, label: str = "line") -> tuple[list[tuple[int, str, str]], list[str]]:
    """`name=value` lines as (line number, name as written, value); blank lines and `#`
    comments skipped, and a problem for each line that is not `name=value`."""
    found: list[tuple[int, str, str]] = []
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        written, sep, value = line.partition("=")
        if not sep or not written.strip():
            problems.append(f"{label} {number}: '{line}' is not name=value")
            continue
        found.append((number, written.strip(), value.strip()))
    return found, problems


def params_text(hyperparameters: dict[str, str]) -> str:
    """A job's user hyperparameters as editable `name=value` lines, sorted, with values
    as the user wrote them (script mode's JSON strings decoded)."""
    return "\n".join(
        f"{k}={plain_value(v)}"
        for k, v in sorted(hyperparameters.items())
        if not k.startswith(TOOLKIT_PREFIX)
    )


def edit_job(
    hyperparameters: dict[str, str],
    text: str,
    instance_type: str,
    instance_count: str,
    old_type: str,
    old_count: int,
) -> EditedJob:
    """Compare the edited lines and fields with the job's own values.

    The job's values are compared as written (decoded); an edited value is sent as a resubmit
    sends it, so the argv preview is what the entry point will get."""
    edited = EditedJob()
    # Script-mode jobs carry the toolkit's sagemaker_program; `launch: command` jobs do not.
    script = "sagemaker_program" in hyperparameters
    reserved = {k: v for k, v in hyperparameters.items() if k.startswith(TOOLKIT_PREFIX)}
    sent = {k: v for k, v in hyperparameters.items() if k not in reserved}
    original = {k: plain_value(v) for k, v in sent.items()}
    seen: dict[str, str] = {}
    result = dict(reserved)
    lines, edited.problems = param_lines(text)
    for number, written, value in lines:
        name = normalise_key(written)
        if name in seen:
            edited.problems.append(
                f"line {number}: '{written}' and '{seen[name]}' both normalise to '{name}'"
            )
            continue
        seen[name] = written
        if name not in original:
            origin = "added"
        elif original[name] != value:
            origin = "edited"
        else:
            origin = "job"
        if origin != "job":
            edited.params[written] = value
        result[name] = sent[name] if origin == "job" else wire_value(value, script)
        edited.rows.append(ParamRow(written, name, value, origin))
    edited.removed = sorted(set(original) - set(seen))
    user = [
        Hyperparameter(
            r.written, r.value, Origin.default(r.origin), result[r.name] if script else None
        )
        for r in edited.rows
    ]
    edited.problems += [str(p) for p in check_limits(user, reserved, script=script)]
    edited.argv = render_argv(result, decode=script)
    type_text = instance_type.strip()
    if type_text and type_text != old_type:
        try:
            edited.instance_type = check_instance_type(type_text)
        except ValueError as exc:
            edited.problems.append(f"instance type: {exc}")
    count_text = instance_count.strip()
    if not count_text.isdigit() or int(count_text) < 1:
        edited.problems.append(f"instance count: '{count_text}' is not a whole number ≥ 1")
    elif int(count_text) != old_count:
        edited.instance_count = int(count_text)
    return edited
