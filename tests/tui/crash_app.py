"""`smtui` on the local backend with a bug planted behind ctrl+b: run in a real pty by
tests/tui/test_crash.py. `python -m tests.tui.crash_app [smtui args…]`."""

from __future__ import annotations

import sys

from textual.binding import Binding


def main() -> int:
    import smtui.tui.app as app_module
    from smtui.cli import main as smtui_main

    class BuggyApp(app_module.SmtuiApp):
        BINDINGS = [Binding("ctrl+b", "bug", priority=True)]

        def action_bug(self) -> None:
            secret = "https://me:hunter2@proxy.example/"  # a local the traceback must not show
            raise RuntimeError(f"planted bug near {secret}")

    app_module.SmtuiApp = BuggyApp  # type: ignore[misc]
    return smtui_main(["--backend", "local", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
