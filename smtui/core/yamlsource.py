"""Load YAML or JSON while remembering the line of every mapping key.

PyYAML drops positions once it builds Python objects, and silently keeps the last of
two duplicate keys. Config errors must name the line, and a duplicated key is almost
always a mistake, so mappings are built as `LineDict`s that carry the line of each key.

A config can also be hostile (a teammate's file, a downloaded example): YAML aliases let 722
bytes stand for billions of nodes ("billion laughs"), a file can be 50 MB, nest 10,000 deep,
or hold a 5,000-digit integer that Python refuses to convert. Each is refused with a
`ConfigError` naming the file and line, before it can cost time or memory: the file's size
is checked before it is read, and the composed node graph is measured with aliases expanded
(counting each shared node once per use, without building anything) before construction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from smtui.core.errors import ConfigError, Problem

MAX_BYTES = 1024 * 1024
"""Largest config file read: real ones are a few KB."""
MAX_NODES = 100_000
"""Most YAML nodes a document may stand for once its aliases are expanded."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and lists accepted."""


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


def _construct_int(loader: _LineLoader, node: yaml.ScalarNode) -> int:
    try:
        value: int = yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)
    except ValueError as exc:  # Python refuses int strings over 4,300 digits
        line = node.start_mark.line + 1
        raise ConfigError(
            Problem(f"the number is too long to read ({exc})", None, loader.source, line)
        ) from None
    return value


_LineLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def _measure(root: yaml.Node, source: Path) -> None:
    """Refuse a document that nests deeper than `MAX_DEPTH` or stands for more than
    `MAX_NODES` nodes with its aliases expanded (each node is measured once)."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()

    def too_big(node: yaml.Node, what: str) -> ConfigError:
        line = node.start_mark.line + 1
        return ConfigError(Problem(what, None, source, line))

    def size(node: yaml.Node, depth: int) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if depth > MAX_DEPTH:
            raise too_big(node, f"nested more than {MAX_DEPTH} levels deep")
        if key in on_path:
            raise too_big(node, "an alias refers to a node that contains it (a cycle)")
        on_path.add(key)
        total = 1
        if isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        else:
            children = []
        for child in children:
            total += size(child, depth + 1)
            if total > MAX_NODES:
                raise too_big(
                    node,
                    f"YAML aliases here expand to over {MAX_NODES:,} nodes "
                    '(a "billion laughs" file?); write the values out instead',
                )
        on_path.discard(key)
        sizes[key] = total
        return total

    size(root, 0)


def load_text(text: str, source: Path) -> Any:
    """Parse YAML (JSON is accepted too) from `text`, naming `source` in errors."""
    loader: _LineLoader | None = None
    try:
        loader = _LineLoader(text)  # the reader checks every character here
        loader.source = source
        node = loader.get_single_node()
        if node is None:
            return None
        _measure(node, source)
        return loader.construct_document(node)
    except RecursionError:
        raise ConfigError(Problem("nested too deeply to read", None, source)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        column = f", column {mark.column + 1}" if mark is not None else ""
        what = exc.problem or exc.context or "cannot be parsed"
        raise ConfigError(
            Problem(f"YAML syntax error{column}: {what}", None, source, line)
        ) from None
    except yaml.reader.ReaderError as exc:  # a NUL, ESC or other control character
        line = text.count("\n", 0, exc.position) + 1
        char = chr(exc.character) if isinstance(exc.character, int) else str(exc.character)
        raise ConfigError(
            Problem(
                f"the file holds the control character U+{ord(char[:1] or chr(0)):04X}, "
                "which YAML does not allow; remove it",
                None,
                source,
                line,
            )
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(Problem(f"YAML error: {exc}", None, source)) from None
    finally:
        if loader is not None:
            loader.dispose()


def _read_text(path: Path) -> str:
    """The file's text, refusing more than `MAX_BYTES` without reading the rest."""
    with path.open("rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ConfigError(
            Problem(
                f"the file is over {MAX_BYTES // 1024:,} KB; a config is a few KB (is this "
                "the right file?)",
                None,
                path,
            )
        )
    return data.decode("utf-8")


def load_file(path: Path) -> Any:
    """Read and parse the YAML or JSON file at `path`."""
    # A FIFO, a device or a folder would block or fail in read_text: stat it first.
    if path.exists() and not path.is_file():
        raise ConfigError(Problem("is not a regular file; give a YAML config file", None, path))
    try:
        text = _read_text(path)
    except FileNotFoundError:
        raise ConfigError(
            Problem("config file not found (run `smtui init` to write one)", None, path)
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(Problem(f"cannot read config file: {exc}", None, path)) from None
    return load_text(text, path)
