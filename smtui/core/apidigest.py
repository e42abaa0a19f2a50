"""botocore's model of one operation's input, digested once per botocore release.

Loading botocore's SageMaker model takes about half a second (the import of
`botocore.session` and a multi-megabyte JSON file), which `smtui submit --dry-run` would
pay on every run. The checks need only each shape's type, limits, pattern, enum and members,
so those are taken from the loaded model the first time and kept in the user's cache,
named by botocore's version: a new botocore is digested again, and the constraints are
always botocore's own, never a copy written by hand.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT = 1
"""Bumped when the digest's layout changes, so an old cache file is never misread."""


@dataclass(eq=False)
class DigestShape:
    """The parts of a botocore `Shape` the request checks read, under the same names."""

    name: str
    type_name: str
    metadata: dict[str, Any]
    enum: list[str]
    required_members: list[str]
    members: dict[str, DigestShape] = field(default_factory=dict)
    member: DigestShape | None = None
    key: DigestShape | None = None
    value: DigestShape | None = None


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "smtui" / "apimodel"


def botocore_version() -> str:
    """The installed botocore's release, which names what is cached from its data."""
    from importlib import metadata  # here: 20 ms, for a command that checks a request

    return metadata.version("botocore")


def input_shape(service: str, operation: str) -> DigestShape:
    """The operation's input shape: from the cache when this botocore was digested
    before, else from botocore's loaded model (and then cached)."""
    path = cache_folder() / f"{service}-{operation}-botocore-{botocore_version()}-v{FORMAT}.json"
    with contextlib.suppress(OSError, ValueError, KeyError):
        return _load(json.loads(path.read_text()))
    digest = _digest(service, operation)
    _store(path, digest)
    return _load(digest)


def _digest(service: str, operation: str) -> dict[str, Any]:
    import botocore.session

    model = botocore.session.get_session().get_service_model(service)
    shapes: dict[str, dict[str, Any]] = {}

    def visit(shape: Any) -> str:
        if shape.name in shapes:
            return str(shape.name)
        entry: dict[str, Any] = {
            "type": shape.type_name,
            "metadata": {
                k: shape.metadata[k] for k in ("min", "max", "pattern") if k in shape.metadata
            },
            "enum": list(getattr(shape, "enum", None) or []),  # strings only
        }
        shapes[shape.name] = entry  # before its members: a shape may contain itself
        if shape.type_name == "structure":
            entry["required"] = list(shape.required_members)
            entry["members"] = {name: visit(m) for name, m in shape.members.items()}
        elif shape.type_name == "list":
            entry["member"] = visit(shape.member)
        elif shape.type_name == "map":
            entry["key"], entry["value"] = visit(shape.key), visit(shape.value)
        return str(shape.name)

    root = visit(model.operation_model(operation).input_shape)
    return {"root": root, "shapes": shapes}


def _load(digest: dict[str, Any]) -> DigestShape:
    raw: dict[str, dict[str, Any]] = digest["shapes"]
    built = {
        name: DigestShape(
            name, entry["type"], entry["metadata"], entry["enum"], entry.get("required", [])
        )
        for name, entry in raw.items()
    }
    for name, entry in raw.items():
        shape = built[name]
        shape.members = {m: built[ref] for m, ref in entry.get("members", {}).items()}
        for part in ("member", "key", "value"):
            if part in entry:
                setattr(shape, part, built[entry[part]])
    return built[digest["root"]]


def _store(path: Path, digest: dict[str, Any]) -> None:
    """Written whole or not at all (a rename), and a cache that cannot be written is only
    slower next time."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "w") as out:
            json.dump(digest, out)
        os.replace(temporary, path)
