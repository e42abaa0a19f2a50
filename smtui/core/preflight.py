"""Entry-point pre-flight: will the script's argparse accept the argv smtui passes?

On SageMaker a script that rejects its arguments fails after the instances have started:
minutes of paid start-up per try. So the entry point's source is read with `ast` (never run)
and, only when it is statically certain that `parse_args()` would stop with "unrecognized
arguments" or "ambiguous option", the submit is refused. Certain means: one
`argparse.ArgumentParser` built from literals, its arguments added by literal calls on it
(or on its argument groups), `parse_args()` called on it with no list of its own, and
nothing else touching it or `sys.argv`. Anything dynamic — `parse_known_args`, subparsers,
`parents=`, the parser handed to a function, `**kwargs`, non-literal names, a config loader
instead of argparse — and pre-flight says nothing.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

_SAFE_METHODS = frozenset(
    {"add_argument", "parse_args", "set_defaults", "print_help", "print_usage", "error",
     "add_argument_group", "add_mutually_exclusive_group", "format_help", "get_default"}
)  # fmt: skip
"""Methods on a parser or group that cannot add options behind the analysis' back."""
_NO_VALUE = frozenset({"store_true", "store_false", "store_const", "append_const", "count"})


class _Dynamic(Exception):
    """The script does something the analysis cannot be certain about."""


@dataclass
class ScriptParser:
    """What the script's one parser accepts."""

    file: Path
    options: dict[str, int] = field(default_factory=dict)
    """Each option string (`--batch-size`) → the line that adds it."""
    no_value: set[str] = field(default_factory=set)
    """Options that take no value (`store_true` …)."""
    allow_abbrev: bool = True
    line: int = 0
    """The line of `parse_args()`."""

    def resolve(self, arg: str) -> list[str] | None:
        """The options `arg` selects as argparse would: itself, or every option it is an
        unambiguous (one) or ambiguous (several) prefix of; None when not certain."""
        if arg in self.options:
            return [arg]
        if not arg.startswith("--"):
            # `-n`: argparse also tries it as `-n` joined to a value, and as a prefix of
            # single-dash options; certain only when no option starts with it at all.
            return None if any(o.startswith(arg) for o in self.options) else []
        if not self.allow_abbrev:
            return []
        return [o for o in self.options if o.startswith(arg)]


@dataclass(frozen=True)
class Rejection:
    """An argument the script's `parse_args()` would certainly refuse."""

    arg: str
    message: str
    """Why, naming the script's file and line."""


def _literal(node: ast.expr) -> object:
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise _Dynamic from None


def _is_parser_call(node: ast.expr, aliases: set[str]) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr == "ArgumentParser":
        return isinstance(func.value, ast.Name) and func.value.id in aliases
    return isinstance(func, ast.Name) and func.id == "ArgumentParser" and "" in aliases


def read_parser(file: Path) -> ScriptParser | None:
    """The script's parser, or None when it has none or builds it dynamically."""
    try:
        tree = ast.parse(file.read_text(encoding="utf-8"), str(file))
        return _analyse(tree, file)
    except (_Dynamic, SyntaxError, OSError, UnicodeDecodeError, RecursionError):
        return None


def _analyse(tree: ast.Module, file: Path) -> ScriptParser | None:
    modules = {"argparse"}  # `import argparse as ap` adds `ap`; `from argparse import ...` ""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {a.asname or a.name for a in node.names if a.name == "argparse"}
        elif isinstance(node, ast.ImportFrom) and node.module == "argparse":
            if any(a.name == "ArgumentParser" and a.asname is None for a in node.names):
                modules.add("")
    owners: dict[str, str] = {}  # variable → "parser" or "group"
    parser = ScriptParser(file)
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
            if _is_parser_call(value, modules):
                if owners or not isinstance(target, ast.Name):
                    raise _Dynamic  # two parsers, or one stored somewhere unusual
                owners[target.id] = "parser"
                assert isinstance(value, ast.Call)
                _parser_options(value, parser)
    if not owners:
        return None
    _find_groups(tree, owners)
    _check_uses(tree, owners, parser)
    return parser if parser.line else None


def _parser_options(call: ast.Call, parser: ScriptParser) -> None:
    for kw in call.keywords:
        if kw.arg is None or kw.arg in ("parents", "prefix_chars"):
            raise _Dynamic
        if kw.arg == "allow_abbrev":
            parser.allow_abbrev = bool(_literal(kw.value))
    add_help = [bool(_literal(kw.value)) for kw in call.keywords if kw.arg == "add_help"]
    if add_help != [False]:
        parser.options |= {"-h": call.lineno, "--help": call.lineno}


def _find_groups(tree: ast.Module, owners: dict[str, str]) -> None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            func = node.value.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr in ("add_argument_group", "add_mutually_exclusive_group")
                and isinstance(func.value, ast.Name)
                and func.value.id in owners
            ):
                if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
                    raise _Dynamic
                owners[node.targets[0].id] = "group"


def _check_uses(tree: ast.Module, owners: dict[str, str], parser: ScriptParser) -> None:
    """Every use of the parser or a group is a known method call; nothing else touches
    `sys.argv`; no `parse_known_args` anywhere."""
    receivers: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            if node.attr in ("parse_known_args", "parse_known_intermixed_args", "add_subparsers"):
                raise _Dynamic
            if node.attr == "argv" and isinstance(node.value, ast.Name) and node.value.id == "sys":
                raise _Dynamic  # the script reads or rewrites its argv itself
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        func = node.func
        if not (isinstance(func.value, ast.Name) and func.value.id in owners):
            continue
        if func.attr not in _SAFE_METHODS:
            raise _Dynamic
        receivers.add(id(func.value))
        if func.attr == "add_argument":
            _add_argument(node, parser)
        elif func.attr == "parse_args":
            if node.args or node.keywords or owners[func.value.id] != "parser":
                raise _Dynamic  # parses a list of its own, or a namespace trick
            parser.line = node.lineno
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in owners and id(node) not in receivers:
            if not isinstance(node.ctx, ast.Store):
                raise _Dynamic  # handed to a function, returned, stored: unknown options


def _add_argument(call: ast.Call, parser: ScriptParser) -> None:
    if any(isinstance(a, ast.Starred) for a in call.args):
        raise _Dynamic
    names = [_literal(a) for a in call.args]
    if not names or not all(isinstance(n, str) and n.startswith("-") for n in names):
        raise _Dynamic  # positionals (or non-strings) change what the argv means
    action = "store"
    for kw in call.keywords:
        if kw.arg is None:
            raise _Dynamic
        if kw.arg == "action":
            value = _literal(kw.value)
            if not isinstance(value, str):
                raise _Dynamic
            action = value
        if kw.arg == "nargs":
            _literal(kw.value)  # argparse.REMAINDER and friends are not literals: dynamic
    for name in names:
        assert isinstance(name, str)
        parser.options[name] = call.lineno
        if action in _NO_VALUE:
            parser.no_value.add(name)


def rejections(parser: ScriptParser, argv: list[str]) -> list[Rejection]:
    """The `--name value` pairs of `argv` that `parser.parse_args()` would refuse."""
    found: list[Rejection] = []
    where = f"{parser.file}:{parser.line}"
    for arg in argv[0::2]:
        matches = parser.resolve(arg)
        if matches is None:
            continue
        if not matches:
            found.append(
                Rejection(
                    arg,
                    f"the script ({where}) defines no {arg}: parse_args() would stop "
                    "with 'unrecognized arguments'",
                )  # fmt: skip
            )
        elif len(matches) > 1:
            options = ", ".join(matches)
            found.append(
                Rejection(
                    arg,
                    f"{arg} is an ambiguous prefix of {options} in the script "
                    f"({where}): parse_args() would stop",
                )  # fmt: skip
            )
        elif matches[0] in parser.no_value:
            line = parser.options[matches[0]]
            found.append(
                Rejection(
                    arg,
                    f"{matches[0]} takes no value ({parser.file}:{line}), but smtui "
                    "passes one: parse_args() would stop with 'unrecognized arguments'",
                )  # fmt: skip
            )
    return found
