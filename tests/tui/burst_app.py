"""A resubmit dialog in its own process, for tests that type at it through a real pty.

Run as `python -m tests.tui.burst_app OUT`: it writes `OUT.ready` once the dialog has the
focus, and on ctrl+t writes the dialog's fields to OUT as JSON and exits. When the dialog
is submitted (ctrl+s), it writes what it was submitted with instead (`submitted`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from textual.app import App
from textual.binding import Binding
from textual.widgets import Input, TextArea

from smtui.core.edits import EditedJob
from smtui.core.jobs import TrainingJob
from smtui.tui.dialogs import ResubmitDialog

JOB = {
    "TrainingJobName": "train-1",
    "TrainingJobStatus": "Completed",
    "CreationTime": "2026-11-30T10:00:00Z",
    "ResourceConfig": {"InstanceType": "ml.g5.xlarge", "InstanceCount": 1},
    "HyperParameters": {"batch_size": "64", "epochs": "3"},
}


class BurstApp(App[None]):
    """Nothing but the resubmit dialog of one job."""

    BINDINGS = [Binding("ctrl+t", "dump", priority=True)]

    def __init__(self, out: Path) -> None:
        super().__init__()
        self.out = out

    def on_mount(self) -> None:
        self.push_screen(ResubmitDialog(TrainingJob.from_api(JOB)), self._submitted)
        self.set_timer(0.3, self._say_ready)

    def _say_ready(self) -> None:
        self.out.with_suffix(".ready").write_text("ready")

    def _submitted(self, edit: EditedJob | None) -> None:
        said = None if edit is None else {"params": edit.params, "count": edit.instance_count}
        self.out.write_text(json.dumps({"submitted": said}))
        self.exit()

    def action_dump(self) -> None:
        dialog = self.screen
        fields = {
            "params": dialog.query_one("#resubmit-params", TextArea).text,
            "type": dialog.query_one("#resubmit-type", Input).value,
            "count": dialog.query_one("#resubmit-count", Input).value,
            "focused": self.focused.id if self.focused else None,
        }
        self.out.write_text(json.dumps(fields))
        self.exit()


if __name__ == "__main__":
    BurstApp(Path(sys.argv[1])).run()
