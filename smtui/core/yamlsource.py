"""Load YAML or JSON while remembering the line of every mapping key.

PyYAML drops positions once it builds Python objects, and silently keeps the last of
two duplicate keys. Config errors must name the line, and a duplicated key is almost
always a mistake, so mappings are built as `LineDict`s that carry the line of each key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from smtui.core.errors import ConfigError, Problem


class LineDict(dict[Any, Any]):
    """A dict that also knows the 1-based source line of each of its keys."""

    def __init__(self, line: int | None = None) -> None:
        super().__init__()
        self.line = line
        """Line where the mapping itself starts."""
        self.lines: dict[Any, int] = {}
        """Line of each key."""

    def line_of(self, key: Any) -> int | None:
        """The line of `key`, or of the mapping itself when the key is absent."""
        return self.lines.get(key, self.line)


class _LineLoader(yaml.SafeLoader):
    """SafeLoader whose mappings are `LineDict`s and refuse duplicate keys."""

    source: Path


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    # A merge (`<<: *base`) puts the base's pairs first; a key written here then overrides
    # them, as YAML's merge rules say. Only two keys written in this mapping are duplicates.
    written = {id(k) for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge"}
    loader.flatten_mapping(node)
    mapping = LineDict(node.start_mark.line + 1)
    merged: set[Any] = set()
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str | int | float | bool) and key is not None:
            raise ConfigError(
                Problem("mapping keys must be plain names", None, loader.source, line)
            )
        if id(key_node) not in written:
            merged.add(key)
        elif key in merged:
            merged.discard(key)
            del mapping[key]
        if key in mapping and key not in merged:
            first = mapping.lines[key]
            raise ConfigError(
                Problem(
                    f"duplicate key (first given on line {first})", str(key), loader.source, line
                )
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.lines[key] = line
    return mapping


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def load_text(text: str, source: Path) -> Any:
    """Parse YAML (JSON is accepted too) from `text`, naming `source` in errors."""
    loader = _LineLoader(text)
    loader.source = source
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        column = f", column {mark.column + 1}" if mark is not None else ""
        what = exc.problem or exc.context or "cannot be parsed"
        raise ConfigError(
            Problem(f"YAML syntax error{column}: {what}", None, source, line)
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(Problem(f"YAML error: {exc}", None, source)) from None
    finally:
        loader.dispose()


def load_file(path: Path) -> Any:
    """Read and parse the YAML or JSON file at `path`."""
    # A FIFO, a device or a folder would block or fail in read_text: stat it first.
    if path.exists() and not path.is_file():
        raise ConfigError(Problem("is not a regular file; give a YAML config file", None, path))
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            Problem("config file not found (run `smtui init` to write one)", None, path)
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(Problem(f"cannot read config file: {exc}", None, path)) from None
    return load_text(text, path)
