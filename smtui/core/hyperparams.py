"""Hyperparameters: one normalisation rule, string encoding, limits, and the argv preview.

Every key is normalised dashes → underscores, whether it comes from the config's `params`
or from `--param`, so a flag overrides the config key it names. Values travel to SageMaker as
strings; the sagemaker-training toolkit inside the container then `json.loads` each value
(falling back to the raw string) and renders `--name value` pairs sorted by key. The argv
preview below follows those steps, so what it shows is what the entry point receives.

Because the toolkit json-decodes, script mode sends every value JSON-encoded, strings
included, as SDK v2's `_json_encode_hyperparameters` does: `"1.10"` goes as `"\"1.10\""`
and reaches the script as `1.10`, not `1.1`. `launch: command` has no toolkit to decode, so
there values go as plain text. Jobs submitted before this (or by other tools) hold plain
values; `plain_value` reads both.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from smtui.core.errors import Problem
from smtui.core.origin import Origin

MAX_KEYS = 100
"""CreateTrainingJob accepts at most 100 HyperParameters entries."""
MAX_KEY_CHARS = 256
MAX_VALUE_CHARS = 2500

# The toolkit keeps these (and anything starting with `sagemaker_`) for itself and never
# passes them to the entry point. See sagemaker_training.params.SAGEMAKER_HYPERPARAMETERS.
TOOLKIT_PREFIX = "sagemaker_"
TOOLKIT_KEYS = frozenset(
    {
        "sagemaker_program",
        "sagemaker_submit_directory",
        "sagemaker_enable_cloudwatch_metrics",
        "sagemaker_region",
        "sagemaker_container_log_level",
        "sagemaker_job_name",
        "default_user_module_name",
        "_tuning_objective_metric",
        "sagemaker_s3_output",
    }
)

TOOLKIT_SETTINGS = frozenset(
    {
        "sagemaker_mpi_num_of_processes_per_host",
        "sagemaker_mpi_num_processes",
        "sagemaker_mpi_custom_mpi_options",
    }
)
"""Settings for the toolkit's runners (the SDK's `distribution` options), set in `params`
on purpose: not the script's, and no reason to warn."""

_SECRET_WORDS = frozenset(
    {"password", "passwd", "secret", "token", "apikey", "credential", "credentials", "auth"}
)


def normalise_key(key: str) -> str:
    """The one rule for hyperparameter names: dashes become underscores."""
    return key.replace("-", "_")


def encode_value(value: Any) -> str:
    """A config value as plain text: what forms show and `launch: command` sends.

    Strings stay as written; other YAML values are JSON-encoded (`true`, `[1, 2]`),
    dates as ISO strings. Raises `ValueError` for values with no sensible encoding.
    """
    if isinstance(value, str):
        return value
    if value is None:
        raise ValueError('has no value (write it as a string, e.g. "", if that is intended)')
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return json.dumps(value, separators=(", ", ": "), allow_nan=True)
    except TypeError:
        raise ValueError(f"cannot be sent as a hyperparameter ({type(value).__name__})") from None


def json_value(value: Any) -> str:
    """The JSON text script mode sends for a config value, as SDK v2 encodes it.

    `json.dumps` with its defaults (ASCII-escaped), so the toolkit's `json.loads` gives back
    exactly the value written; dates go as their ISO string."""
    if isinstance(value, dt.date):
        value = value.isoformat()
    return json.dumps(value)


def plain_value(sent: str) -> str:
    """A value as SageMaker stores it, shown as the user wrote it.

    A JSON string literal is decoded (`"\"1.10\""` → `1.10`); anything else is already as
    written: JSON numbers, booleans and lists read the same either way, and values of jobs
    submitted without encoding are not JSON strings."""
    try:
        decoded = json.loads(sent)
    except ValueError:
        return sent
    return decoded if isinstance(decoded, str) else sent


def wire_value(text: str, script: bool) -> str:
    """A value typed as text (a flag, a form line), as it is sent in either launch mode."""
    return json_value(text) if script else text


def looks_secret(name: str) -> bool:
    """Whether a normalised name looks like it holds a credential."""
    words = [w for w in re.split(r"[_\W]+", name.lower()) if w]
    if not words:
        return False
    joined = "".join(words)
    # `*_key` (api_key, access-key) reads as a credential; a dotted name (`dotted.key`,
    # `model.key`) is a config path whose last field happens to be called key.
    ends_in_key = words[-1] == "key" and not name.lower().endswith(".key")
    return (
        any(w in _SECRET_WORDS for w in words)
        or ends_in_key
        or "apikey" in joined
        or "accesskey" in joined
    )


@dataclass(frozen=True)
class Hyperparameter:
    """One user hyperparameter as it will be sent, and where it came from."""

    written: str
    """The name as the user wrote it (`batch-size`)."""
    value: str
    """The value as text, as written: what forms show and `launch: command` sends."""
    origin: Origin
    json: str | None = None
    """The JSON encoding script mode sends; None for text (a flag, a form line), which is
    sent as a JSON string."""
    as_written: bool = False
    """`param-names: as-written`: the name is sent as written, not normalised."""

    @property
    def name(self) -> str:
        """The name SageMaker receives: normalised (`batch_size`) unless `as_written`."""
        return self.written if self.as_written else normalise_key(self.written)

    @property
    def encoded(self) -> str:
        """The value as script mode sends it (JSON, strings included)."""
        return self.json if self.json is not None else json_value(self.value)

    def sent(self, script: bool) -> str:
        """The value as it is sent: JSON in script mode, plain text with `launch: command`."""
        return self.encoded if script else self.value


@dataclass(frozen=True)
class RawParam:
    """A hyperparameter before encoding: as written in one source, with its location."""

    written: str
    value: Any
    origin: Origin


def merge_layers(
    layers: Iterable[Iterable[RawParam]], as_written: bool = False
) -> tuple[list[Hyperparameter], list[Problem]]:
    """Merge hyperparameter layers, lowest precedence first.

    Within one layer, two names that normalise alike are a collision (an error); a later
    layer replaces an earlier one's value for the same normalised name. With `as_written`
    (`param-names: as-written`) names are kept as written and only equal names collide.
    Returns the merged parameters in first-seen order and the problems found.
    """
    merged: dict[str, Hyperparameter] = {}
    problems: list[Problem] = []
    for layer in layers:
        seen: dict[str, RawParam] = {}
        for raw in layer:
            name = raw.written if as_written else normalise_key(raw.written)
            if name in seen:
                other = seen[name]
                what = "are the same name" if as_written else f"both normalise to '{name}'"
                problems.append(
                    raw.origin.problem(
                        f"'{raw.written}' and '{other.written}' ({other.origin}) {what}; keep one",
                        key=f"params.{raw.written}",
                    )
                )
                continue
            seen[name] = raw
            try:
                value = encode_value(raw.value)
                encoded = json_value(raw.value)
            except ValueError as exc:
                problems.append(raw.origin.problem(str(exc), key=f"params.{raw.written}"))
                continue
            merged[name] = Hyperparameter(raw.written, value, raw.origin, encoded, as_written)
    return list(merged.values()), problems


def check_limits(
    params: Iterable[Hyperparameter], reserved: Mapping[str, str], script: bool = True
) -> list[Problem]:
    """Check SageMaker's limits before any API call; `reserved` are smtui's own entries.

    Lengths are those of the values as sent (JSON-encoded in script mode)."""
    params = list(params)
    problems: list[Problem] = []
    for p in params:
        sent = p.sent(script)
        if not p.name:
            problems.append(p.origin.problem("empty hyperparameter name", key=p.written))
        if "\0" in p.name or "=" in p.name:
            problems.append(
                p.origin.problem(
                    "a name with '=' or a NUL character cannot reach the script as --name value",
                    key=repr(p.written)[1:-1],
                )
            )
        if len(p.name) > MAX_KEY_CHARS:
            problems.append(
                p.origin.problem(
                    f"name is {len(p.name)} characters; the limit is {MAX_KEY_CHARS}", key=p.written
                )
            )
        if len(sent) > MAX_VALUE_CHARS:
            problems.append(
                p.origin.problem(
                    f"value is {len(sent)} characters as sent; the limit is {MAX_VALUE_CHARS}",
                    key=p.written,
                )
            )
        if p.name in reserved:
            problems.append(
                p.origin.problem("is set by smtui itself; remove it from params", key=p.written)
            )
    total = len(params) + len(reserved)
    if total > MAX_KEYS:
        problems.append(
            Problem(
                f"{len(params)} hyperparameters plus {len(reserved)} that smtui adds make {total}; "
                f"SageMaker accepts at most {MAX_KEYS}",
                key="params",
            )
        )
    return problems


def secret_warnings(params: Iterable[Hyperparameter]) -> list[str]:
    """Warnings for hyperparameters whose names look like credentials."""
    return [
        f"hyperparameter '{p.written}' looks like a secret: hyperparameters are visible to anyone "
        "who can describe the job; pass it through the environment or Secrets Manager instead"
        for p in params
        if looks_secret(p.name)
    ]


def toolkit_owned_warnings(params: Iterable[Hyperparameter]) -> list[str]:
    """Warnings for user names the toolkit keeps for itself: they never reach the script."""
    return [
        f"hyperparameter '{p.written}' starts with {TOOLKIT_PREFIX}: the training toolkit keeps "
        "such names for itself and does not pass them to the entry point; rename it"
        for p in params
        if (p.name.startswith(TOOLKIT_PREFIX) or p.name in TOOLKIT_KEYS)
        and p.name not in TOOLKIT_SETTINGS
    ]


def toolkit_value(raw: str) -> Any:
    """Decode a hyperparameter value the way the training toolkit does (JSON, else raw)."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _as_text(value: Any) -> str:
    return "" if value is None else str(value)


def render_argv(hyperparameters: Mapping[str, str], decode: bool = True) -> list[str]:
    """The exact arguments the toolkit passes to the entry point for these hyperparameters.

    Toolkit-owned keys are dropped; the rest are sorted by key; one-letter keys become `-k`,
    others `--key`; values are JSON-decoded then printed with `str` (so `true` → `True`),
    and mappings become `k=v,k2=v2`. With `decode=False` (`launch: command`, where smtui
    itself renders the arguments) values are passed as they are.
    """
    user = {
        k: toolkit_value(v) if decode else v
        for k, v in hyperparameters.items()
        if k not in TOOLKIT_KEYS and not k.startswith(TOOLKIT_PREFIX)
    }
    argv: list[str] = []
    for key in sorted(user):
        argv.append("" if not key else f"--{key}" if len(key) > 1 else f"-{key}")
        value = user[key]
        if isinstance(value, dict):
            argv.append(",".join(f"{k}={v}" for k, v in sorted(value.items())))
        else:
            argv.append(_as_text(value))
    return argv
