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
