"""One first frame, for bench/tui_logs.py: `smtui --backend aws --endpoint-url URL` as a
user starts it, through its own entry point (the parser, the config's resolution, the
backend, the first page of jobs made ahead), with the app run headless and timed from the
process's start to the job table's rows, plus a frame (1/60 s) for their paint.

Run: python bench/first_frame.py URL LAUNCHED (the caller's `time.time()` before the
start; the working folder holds no jobber.yml). Prints {"seconds": …, "rows": …}.

A script of its own, importing only what smtui imports before it: the bench's own
imports (asyncio among them) would otherwise delay smtui's start, which defers asyncio.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any


def main(endpoint: str, launched: float) -> dict[str, Any]:
    import smtui.cli.tui as cli_tui
    from smtui.cli import main as smtui_main

    seen: dict[str, Any] = {}

    def run_app(backend: Any, theme: str | None, *args: Any, **kwargs: Any) -> int:
        import asyncio

        backend.prefetch()  # `run_app` up to `app.run()`, which a headless run replaces
        from smtui.tui.app import SmtuiApp

        app = SmtuiApp(backend, theme=theme)

        async def until_rows() -> None:
            async with app.run_test(size=(160, 45)):
                # Polled without `pilot.pause`, which paints the whole screen each time it
                # is called (work the app would not do); the rows' paint is one frame.
                while app.jobs.table.row_count == 0:
                    await asyncio.sleep(0.002)
                seen["seconds"] = time.time() - launched + 1 / 60
                seen["rows"] = app.jobs.table.row_count

        asyncio.run(until_rows())
        return 0

    cli_tui.run_app = run_app
    code = smtui_main(["--backend", "aws", "--region", "us-east-1", "--endpoint-url", endpoint])
    if code != 0 or "rows" not in seen:
        sys.exit(f"smtui exited {code} before showing rows")
    return seen


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], float(sys.argv[2]))))
