"""The whole app on moto (in-process) with 300 jobs, for tests that type at it through a
real pty: `python -m tests.tui.marks_app OUT`. It writes `OUT.ready` once the rows and
their descriptions are in, and on ctrl+t writes what it did (the jobs StopTrainingJob was
called for, the marks, the rows in order, the screen on top, the selected job, the name
filter, where it points) to OUT as JSON and exits.

With `--kinds`, the account is `tests/tui/test_kinds.py`'s instead: 300 training jobs, 24
of them the children of two tuning jobs, and four processing jobs (for trying `:tuning`
and `:processing` by hand in tmux).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path

import pytest
from moto import mock_aws
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.worker import WorkerCancelled, WorkerFailed

from smtui.services.factory import BackendSettings, make_backend
from smtui.tui.app import ACTION_GROUP, SmtuiApp
from tests.awsfakes import add_stop_training_job, add_tuning_calls
from tests.tui.test_power_keys import account


class MarksApp(SmtuiApp):
    BINDINGS = [Binding("ctrl+t", "dump")]
    """Not a priority binding: it is read in turn, after the keys written before it (a
    priority one jumps ahead of keys still queued at the focused widget)."""

    def __init__(self, out: Path, stopped: list[str]) -> None:
        super().__init__(make_backend(BackendSettings("aws", region="us-east-1")))
        self.out = out
        self.stopped = stopped

    def on_mount(self) -> None:
        self.set_interval(0.1, self._ready_yet)

    def _ready_yet(self) -> None:
        jobs = self.jobs
        ready = jobs.table.row_count == 50 and len(jobs.model.details) >= 50
        if ready and not self.out.with_suffix(".ready").exists():
            self.out.with_suffix(".ready").write_text("ready")

    async def action_dump(self) -> None:
        for worker in list(self.workers):  # a stop or a region move under way ends first
            if worker.group == ACTION_GROUP:
                with contextlib.suppress(WorkerFailed, WorkerCancelled):
                    await worker.wait()
        table = self.jobs.table
        rows = [
            str(table.coordinate_to_cell_key(Coordinate(i, 0)).row_key.value)
            for i in range(table.row_count)
        ]
        self.out.write_text(json.dumps({
            "stopped": sorted(self.stopped),
            "marked": sorted(self.jobs.model.marked),
            "rows": rows,
            "sort": [self.jobs.sort, self.jobs.descending],
            "screen": type(self.screen).__name__,
            "selected": self.jobs.selected,
            "filter": self.jobs.name_filter,
            "where": self.sub_title,
        }))  # fmt: skip
        self.exit()


def main(out: Path, kinds: bool = False) -> None:
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                      AWS_DEFAULT_REGION="us-east-1")  # fmt: skip
    with mock_aws():
        patches = pytest.MonkeyPatch()
        if kinds:
            from tests.tui.test_kinds import account as kinds_account

            kinds_account()
            add_tuning_calls(patches)
        else:
            account()
        stopped = add_stop_training_job(patches)
        MarksApp(out, stopped).run()


if __name__ == "__main__":
    main(Path(sys.argv[1]), kinds="--kinds" in sys.argv[2:])
