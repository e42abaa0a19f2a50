"""The TUI on moto, showing a job whose log, failure reason and hyperparameters carry
terminal escapes and markup: run in a real pty by tests/tui/test_hostile_screen.py.

`python -m tests.tui.hostile_app OUT`: writes `OUT.ready` once the log lines are in the
view; ctrl+t opens the job's details, and ctrl+x writes `OUT` and exits.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from textual.binding import Binding

HOSTILE = [
    "clipboard \x1b]52;c;cHduZWQ=\x07 after",
    "title \x1b]0;PWNED-TITLE\x07 after",
    "screen \x1b[?1049h\x1b[2J after",
    "c1 \x9b31m csi after",
    "markup [/] [link=https://example.com]click[/link] [bold]x",
]


def main(out: Path) -> None:
    os.environ.update(
        AWS_ACCESS_KEY_ID="t", AWS_SECRET_ACCESS_KEY="t", AWS_DEFAULT_REGION="us-east-1"
    )
    from moto import mock_aws

    from smtui.services.factory import BackendSettings, make_backend
    from smtui.tui.app import SmtuiApp
    from tests.awsfakes import create_job, put_events, sagemaker_backend

    class HostileApp(SmtuiApp):
        BINDINGS = [
            Binding("ctrl+x", "done", priority=True),
            Binding("ctrl+t", "open_details", priority=True),
        ]

        def on_mount(self) -> None:
            self.set_interval(0.1, self._check)

        def _check(self) -> None:
            if self.logs.lines_received >= len(HOSTILE):
                out.with_suffix(".ready").write_text("ready")

        def action_open_details(self) -> None:
            self.open_details("evil")

        def action_done(self) -> None:
            out.write_text("done")
            self.exit()

    with mock_aws():
        create_job(
            "evil",
            status="Failed",
            HyperParameters={"path": "[/opt/ml/x]", "esc": "\x1b]0;HP-TITLE\x07"},
        )
        sagemaker_backend().training_jobs[
            "evil"
        ].failure_reason = "boom \x1b]52;c;ZmFpbA==\x07 [/] \x1b[?1049h"
        now = int(time.time() * 1000)
        put_events("evil/algo-1-1700000000", [(now + i, m) for i, m in enumerate(HOSTILE)])
        HostileApp(make_backend(BackendSettings("aws", region="us-east-1"))).run()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
