"""Load `jobber.yml` and resolve it: flags > environment > file > built-in defaults.

Every resolved value keeps its `Origin`, so the dry-run and the TUI can show where it came
from. Unlike jobber, a value in the file always beats a flag the user did not give: flags
have no defaults of their own here, only the schema does.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smtui.core import checks, schema
from smtui.core.awsprofile import profile_region
from smtui.core.errors import ConfigError, Problem
from smtui.core.hyperparams import RawParam, merge_layers
from smtui.core.origin import Origin, Source
from smtui.core.overrides import CLEARED, Overrides
from smtui.core.risks import hostile_warnings
from smtui.core.spec import JobSpec, SyncSettings
from smtui.core.validate import validate_spec
from smtui.core.yamlsource import LineDict, load_file


def parse_param_flag(text: str, flag: str = "--param") -> RawParam:
    """Parse one `KEY=VALUE` flag; the value is kept as the string given."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ConfigError(Problem(f"malformed {flag} '{text}': expected KEY=VALUE", flag))
    return RawParam(key.strip(), value, Origin.flag(flag))


def _suggest(key: str, options: list[str]) -> str:
    near = difflib.get_close_matches(key.replace("_", "-"), options, n=1, cutoff=0.5)
    return f"; did you mean '{near[0]}'?" if near else ""


@dataclass
class _Layers:
    """Values gathered from the file before the environment and flags go on top."""

    path: Path
    values: dict[str, tuple[Any, Origin]] = field(default_factory=dict)
    params: list[RawParam] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    entries: dict[str, Origin] = field(default_factory=dict)
    """Origins of the entries of mappings and lists (`tags.team`, `metric-definitions.1`), so
    a problem with one entry names its own line."""

    def problem(self, message: str, key: str, line: int | None) -> None:
        self.problems.append(Problem(message, key, self.path, line))


def _read_top_level(doc: LineDict, layers: _Layers) -> LineDict | None:
    """Check the top level (jobber's sections); return the `submit:` mapping."""
    submit_keys = [f.name for f in schema.FIELDS] + ["params"]
    submit: LineDict | None = None
    for key, value in doc.items():
        name = str(key).replace("_", "-")
        line = doc.line_of(key)
        if name == "provider":
            _check_provider(value, str(key), line, layers)
        elif name in ("build", "push", "sync-data", "submit"):
            if value is not None and not isinstance(value, LineDict):
                layers.problem(f"must be a mapping, got {checks.describe(value)}", str(key), line)
            elif name == "submit":
                submit = value
            elif name == "sync-data" and value:
                _read_sync_data(value, layers)
        elif name in submit_keys:
            layers.problem("belongs under 'submit:'", str(key), line)
        else:
            hint = _suggest(name, list(schema.TOP_LEVEL_KEYS))
            layers.problem(f"unknown top-level key{hint}", str(key), line)
    return submit


def _check_provider(value: Any, key: str, line: int | None, layers: _Layers) -> None:
    provider = str(value).lower() if value is not None else ""
    if provider == "gcp":
        layers.problem(
            "provider 'gcp' (Vertex AI) is not supported: smtui drives Amazon SageMaker only",
            key,
            line,
        )
    elif provider != "aws":
        layers.problem(f"must be 'aws' (got {value!r})", key, line)


def _read_sync_data(section: LineDict, layers: _Layers) -> None:
    """jobber's `sync-data:` section: its src/dest become sync defaults."""
    src, dest = section.get("src"), section.get("dest")
    if isinstance(src, str):
        settings = SyncSettings(src, dest if isinstance(dest, str) else None)
        layers.values["sync"] = (settings, Origin.in_file(layers.path, section.line_of("src")))


def _read_submit(submit: LineDict, layers: _Layers) -> None:
    seen: dict[str, str] = {}
    options = [f.name for f in schema.FIELDS] + sorted(schema.SPECIAL_KEYS)
    for key, value in submit.items():
        written = str(key)
        attr = written.replace("-", "_")
        line = submit.line_of(key)
        origin = Origin.in_file(layers.path, line)
        label = f"submit.{written}"
        if attr in seen:
            layers.problem(
                f"same key as '{seen[attr]}' (dashes and underscores are equal)", label, line
            )
            continue
        seen[attr] = written
        if attr in schema.BY_ATTR:
            try:
                layers.values[attr] = (schema.BY_ATTR[attr].check(value), origin)
            except ValueError as exc:
                layers.problem(str(exc), label, line)
            else:
                layers.entries |= _entry_origins(attr, value, layers.path)
        elif attr == "params":
            layers.entries["params"] = origin
            _read_params(value, label, line, layers)
        elif attr == "provider":
            _check_provider(value, label, line, layers)
        elif attr in schema.JOBBER_GCP_KEYS:
            layers.warnings.append(f"{layers.path}:{line}: {label} is a Vertex AI setting; ignored")
        else:
            layers.problem(f"unknown key{_suggest(written, options)}", label, line)


def _entry_origins(attr: str, value: Any, path: Path) -> dict[str, Origin]:
    """The line of each entry of a mapping (by key) or a list (numbered from 1)."""
    if isinstance(value, LineDict):
        return {f"{attr}.{k}": Origin.in_file(path, value.line_of(k)) for k in value}
    if isinstance(value, list):
        return {
            f"{attr}.{n}": Origin.in_file(path, getattr(item, "line", None))
            for n, item in enumerate(value, 1)
        }
    return {}


def _read_params(value: Any, label: str, line: int | None, layers: _Layers) -> None:
    if value is None:
        return
    if not isinstance(value, LineDict):
        layers.problem("must be a mapping of name: value", label, line)
        return
    for key, item in value.items():
        origin = Origin.in_file(layers.path, value.line_of(key))
        layers.params.append(RawParam(str(key), item, origin))


def _profile_region(layers: _Layers, environ: Mapping[str, str]) -> None:
    """The profile's region from the AWS config file: above the config file, below the
    environment and flags (an AWS user's profile says where they work). aws backend only:
    the local backend has no regions."""
    backend = layers.values.get("backend", ("aws", None))[0]
    region = layers.values.get("region")
    if backend != "aws" or (region and region[1].source in (Source.FLAG, Source.ENV)):
        return
    profile = layers.values.get("profile", (None, None))[0]
    found = profile_region(profile, environ)
    if found is None:
        return
    origin = Origin.profile(str(found))
    try:
        layers.values["region"] = (schema.BY_ATTR["region"].check(found.region), origin)
    except ValueError as exc:
        layers.problems.append(Problem(f"{exc} (from {found})", "region"))


def _add_entries(path: Path, layers: _Layers, overrides: Overrides) -> None:
    """`--env K=V`, `--tag K=V`, `--channel K=V`: entries over the file's (or default) map."""
    for attr, entries in overrides.entries.items():
        base, origin = layers.values.get(attr, (getattr(JobSpec(path), attr), None))
        merged = dict(base)
        for key, value, flag in entries:
            merged[key] = value
            layers.entries[f"{attr}.{key}"] = Origin.flag(flag)
        try:
            checked = schema.BY_ATTR[attr].check(merged)
        except ValueError as exc:
            layers.problems.append(Problem(str(exc), entries[0][2]))
            continue
        layers.values[attr] = (checked, origin or Origin.flag(entries[0][2]))


def resolve_config(
    path: Path,
    overrides: Overrides | None = None,
    environ: Mapping[str, str] | None = None,
) -> JobSpec:
    """Resolve the config at `path` with `overrides` and `environ` layered on top.

    Raises `ConfigError` listing every problem found, so the user sees them all at once;
    warnings that do not stop a submit are left in `spec.warnings`.
    """
    spec, problems = resolve_with_problems(path, overrides, environ)
    if problems:
        raise ConfigError(problems)
    return spec


def resolve_with_problems(
    path: Path,
    overrides: Overrides | None = None,
    environ: Mapping[str, str] | None = None,
) -> tuple[JobSpec, list[Problem]]:
    """Resolve as `resolve_config` does, returning the problems instead of raising them."""
    overrides = overrides or Overrides()
    environ = os.environ if environ is None else environ
    layers = _Layers(path)
    doc = load_file(path)
    if doc is None:
        doc = LineDict(1)
    if not isinstance(doc, LineDict):
        raise ConfigError(
            Problem("the file must be a YAML mapping with a 'submit:' section", None, path, 1)
        )
    submit = _read_top_level(doc, layers)
    if submit:
        _read_submit(submit, layers)

    for f in schema.FIELDS:
        var = next((v for v in f.env if environ.get(v)), None)
        if var is not None:
            try:
                layers.values[f.attr] = (f.check(environ[var]), Origin.env(var))
            except ValueError as exc:
                layers.problems.append(Problem(f"{exc} (from environment variable {var})", f.name))
    for attr, (value, flag) in overrides.values.items():
        if value is CLEARED:
            layers.values[attr] = (getattr(JobSpec(path), attr), Origin.flag(flag))
            continue
        try:
            layers.values[attr] = (schema.BY_ATTR[attr].check(value), Origin.flag(flag))
        except ValueError as exc:
            layers.problems.append(Problem(str(exc), flag))

    _add_entries(path, layers, overrides)
    flag_params: list[RawParam] = []
    for text in overrides.params:
        try:
            flag_params.append(parse_param_flag(text))
        except ConfigError as exc:
            layers.problems.extend(exc.problems)
    file_params = layers.params if overrides.all_params is None else overrides.all_params
    as_written = layers.values.get("param_names", ("normalised", None))[0] == "as-written"
    params, param_problems = merge_layers([file_params, flag_params], as_written)

    _profile_region(layers, environ)
    spec = JobSpec(config_path=path, params=params, warnings=layers.warnings)
    for attr, (value, origin) in layers.values.items():
        setattr(spec, attr, value)
        spec.origins[attr] = origin
    for entry, origin in layers.entries.items():
        if origin.source is Source.FLAG or spec.origin(entry.split(".")[0]).source in (
            Source.FILE,
            Source.DEFAULT,
        ):
            spec.origins[entry] = origin  # a file's entry is kept unless a flag replaced it all
    problems = layers.problems + param_problems
    if not problems:
        problems = validate_spec(spec)
        spec.warnings.extend(hostile_warnings(spec))
    return spec, problems
