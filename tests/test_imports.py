"""The core and the CLI's argument parsing must not load Textual, the SageMaker SDK or boto3."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
import smtui.core.config, smtui.core.request, smtui.core.hyperparams, smtui.core.instances
from smtui.cli.parser import build_parser
build_parser().parse_args(["submit", "--dry-run", "--param", "a=1"])
heavy = sorted(
    name for name in sys.modules
    if name.split(".")[0] in {"textual", "sagemaker", "boto3", "botocore", "rich"}
)
print(",".join(heavy))
"""


def test_core_and_cli_parsing_stay_light() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_core_never_imports_textual() -> None:
    from pathlib import Path

    import smtui

    root = Path(smtui.__file__).parent
    for folder in ("core", "services"):
        for path in (root / folder).rglob("*.py"):
            text = path.read_text()
            assert "import textual" not in text and "from textual" not in text, path


def test_no_import_cycles_in_core_or_services() -> None:
    """No module of core/ or services/ imports, even from inside a function, one that
    imports it back (directly or round a loop): each layer reads bottom-up."""
    import ast
    from pathlib import Path

    import smtui

    root = Path(smtui.__file__).parent
    graph: dict[str, set[str]] = {}
    for folder in ("core", "services"):
        for path in (root / folder).rglob("*.py"):
            parts = path.relative_to(root.parent).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found: set[str] = set()
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ImportFrom) and node.module:
                    found.add(node.module)
                    found.update(f"{node.module}.{alias.name}" for alias in node.names)
                elif isinstance(node, ast.Import):
                    found.update(alias.name for alias in node.names)
            graph[name] = found
    graph = {name: {dep for dep in deps if dep in graph} for name, deps in graph.items()}

    def loop_from(start: str) -> list[str] | None:
        stack = [(start, [start])]
        seen: set[str] = set()
        while stack:
            node, path = stack.pop()
            for dep in graph[node]:
                if dep == start:
                    return [*path, start]
                if dep not in seen:
                    seen.add(dep)
                    stack.append((dep, [*path, dep]))
        return None

    loops = [loop for name in sorted(graph) if (loop := loop_from(name))]
    assert not loops, " -> ".join(loops[0])
