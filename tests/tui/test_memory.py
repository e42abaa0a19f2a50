"""The TUI's process settles its garbage collector once the app is up (`tui/memory.py`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import asyncio, gc
from smtui.services.factory import BackendSettings, make_backend
from smtui.tui.app import SmtuiApp
from smtui.tui.memory import YOUNG

async def main():
    before = gc.get_threshold()[0], gc.get_freeze_count()
    app = SmtuiApp(make_backend(BackendSettings("local")))
    async with app.run_test() as pilot:
        await pilot.pause()
        after = gc.get_threshold()[0], gc.get_freeze_count()
    print(before[0], before[1], after[0], after[1], YOUNG)

asyncio.run(main())
"""


def test_the_app_freezes_its_objects_and_collects_the_young_less_often(tmp_path: Path) -> None:
    # In a process of its own: the setting is the process's, made once.
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True, text=True, check=True, timeout=120, cwd=tmp_path,
        env=os.environ | {"SMTUI_HOME": str(tmp_path / "home")},
    )  # fmt: skip
    young_before, frozen_before, young_after, frozen_after, wanted = map(int, done.stdout.split())
    assert young_before != wanted and frozen_before == 0  # CPython's own, before the app
    assert young_after == wanted
    assert frozen_after > 10_000  # the app's widgets, styles and modules
