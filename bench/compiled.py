"""smtui's modules compiled to .pyc before a bench times a start, as its peer's are.

pip compiles a package it installs, so awscli in bench/.venv starts from .pyc files. smtui
is installed editable, so Python compiles its sources on first import and keeps the result,
unless PYTHONDONTWRITEBYTECODE is set (it is on some build machines, this one included):
then every timed start would compile smtui's sources again, a cost no installed copy pays.
"""

from __future__ import annotations

import compileall
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def compile_smtui() -> None:
    """Write smtui's .pyc files, and say so when the environment would not have."""
    compileall.compile_dir(ROOT / "smtui", quiet=1)
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        print("(PYTHONDONTWRITEBYTECODE is set: smtui's .pyc files were written for the bench)")
