"""A request checked against botocore's own service model, as the API would check it.

The constraints are never copied into smtui: they are read at run time from the model
botocore loads (`get_service_model("sagemaker")`), so they follow botocore's releases.
botocore is imported here lazily; the model is loaded once, on the first check.
Checked: unknown and missing members, types, string lengths (in UTF-16 code units, as the
service counts), patterns (Java semantics, see `javaregex`), enums, list and map sizes,
and numeric ranges.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from smtui.core.apidigest import input_shape
from smtui.core.javaregex import compile_java, java_length

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Violation:
    """One value the API would refuse, at `path` in the request."""

    path: Path
    """Keys and list indexes from the request's top (`("Tags", 2, "Value")`)."""
    message: str
    """What is wrong, reading after the value's name."""
    of_key: bool = False
    """True when a map's key is at fault, not its value (the last path item is the key)."""

    @property
    def where(self) -> str:
        """The path as the API documents it: `Tags[2].Value`, `Environment[KEY]`."""
        text = ""
        for i, item in enumerate(self.path):
            if isinstance(item, int):
                text += f"[{item}]"
            elif i and self._is_map_key(i):
                text += f"[{item}]"
            else:
                text += f".{item}" if text else item
        return text

    def _is_map_key(self, i: int) -> bool:
        return self.path[i - 1] in _MAPS


_MAPS = frozenset({"HyperParameters", "Environment"})


@functools.cache
def _input_shape(service: str, operation: str) -> Any:
    return input_shape(service, operation)  # botocore's model, digested (see apidigest)


def check_request(
    request: dict[str, Any], operation: str = "CreateTrainingJob", service: str = "sagemaker"
) -> list[Violation]:
    """Everything in `request` (boto3 keyword arguments) that the API would refuse."""
    shape = _input_shape(service, operation)
    return list(_check(shape, request, ()))


def member_shape(*names: str, operation: str = "CreateTrainingJob") -> Any:
    """The model's shape of a member of the request (`member_shape("RoleArn")`,
    `member_shape("ResourceConfig", "InstanceCount")`), for a config check that wants the
    API's own constraint rather than a copy of it."""
    shape = _input_shape("sagemaker", operation)
    for name in names:
        shape = shape.members[name]
    return shape


def refusals(shape: Any, value: Any) -> list[str]:
    """What the API would say about `value` as this shape (empty when it takes it)."""
    return [v.message for v in _check(shape, value, ())]


def _check(shape: Any, value: Any, path: Path) -> Iterator[Violation]:
    kind = shape.type_name
    if kind == "structure":
        yield from _structure(shape, value, path)
    elif kind == "list":
        yield from _list(shape, value, path)
    elif kind == "map":
        yield from _map(shape, value, path)
    elif kind == "string":
        yield from _string(shape, value, path)
    elif kind in ("integer", "long", "float", "double"):
        yield from _number(shape, value, path)
    elif kind == "boolean" and not isinstance(value, bool):
        yield Violation(path, f"must be true or false, got {value!r}")


def _structure(shape: Any, value: Any, path: Path) -> Iterator[Violation]:
    if not isinstance(value, dict):
        yield Violation(path, f"must be a structure, got {type(value).__name__}")
        return
    for name in shape.required_members:
        if value.get(name) is None:
            yield Violation((*path, name), "is required")
    for name, item in value.items():
        if name not in shape.members:
            yield Violation((*path, name), "is not a member the API knows")
        elif item is not None:
            yield from _check(shape.members[name], item, (*path, name))


def _sized(shape: Any, count: int, path: Path, noun: str) -> Iterator[Violation]:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and count < low:
        yield Violation(path, f"has {count} {noun}; at least {low} required")
    if high is not None and count > high:
        yield Violation(path, f"has {count} {noun}; the limit is {high}")


def _list(shape: Any, value: Any, path: Path) -> Iterator[Violation]:
    if not isinstance(value, list):
        yield Violation(path, f"must be a list, got {type(value).__name__}")
        return
    yield from _sized(shape, len(value), path, "items")
    for i, item in enumerate(value):
        yield from _check(shape.member, item, (*path, i))


def _map(shape: Any, value: Any, path: Path) -> Iterator[Violation]:
    if not isinstance(value, dict):
        yield Violation(path, f"must be a mapping, got {type(value).__name__}")
        return
    yield from _sized(shape, len(value), path, "entries")
    for key, item in value.items():
        for v in _check(shape.key, key, (*path, key)):
            yield Violation(v.path, f"name {v.message}", of_key=True)
        yield from _check(shape.value, item, (*path, key))


def _string(shape: Any, value: Any, path: Path) -> Iterator[Violation]:
    if not isinstance(value, str):
        yield Violation(path, f"must be a string, got {type(value).__name__}")
        return
    length = java_length(value)
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and length < low:
        yield Violation(path, f"is {length} characters; at least {low} required")
    if high is not None and length > high:
        yield Violation(path, f"is {length} characters; the limit is {high}")
    enum = shape.enum
    if enum and value not in enum:
        yield Violation(path, f"'{value}' is not one of the {len(enum)} values the API accepts")
    pattern = shape.metadata.get("pattern")
    if pattern is not None:
        compiled = compile_java(pattern)
        if compiled is not None and not compiled.fullmatch(value):
            yield Violation(path, f"does not match the API's pattern {pattern}{_culprit(value)}")


def _culprit(value: str) -> str:
    """Name the characters a pattern usually refuses: controls, line breaks, punctuation."""
    odd = sorted({c for c in value if not (c.isalnum() or c in " _.:/=+-@")})
    if not odd:
        return ""
    return " (check " + ", ".join(repr(c) for c in odd[:6]) + ")"


def _number(shape: Any, value: Any, path: Path) -> Iterator[Violation]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        yield Violation(path, f"must be a number, got {value!r}")
        return
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and value < low:
        yield Violation(path, f"must be at least {low}, got {value}")
    if high is not None and value > high:
        yield Violation(path, f"must be at most {high}, got {value}")
