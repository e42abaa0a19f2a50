"""A local host's log keeps the order its process wrote in: stdout and stderr through one
pipe, and a sequence number for lines of the same millisecond."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from smtui.cli import main
from smtui.core.logevents import LogEvent, time_order
from smtui.services.local.logs import log_record, parse_record
from tests.services.localjob import only_job, write_project

LINES = 3000
INTERLEAVED = f"""\
import sys
for i in range({LINES}):
    stream = sys.stderr if i % 3 == 0 else sys.stdout
    print(f"line {{i}} on {{'err' if i % 3 == 0 else 'out'}}", file=stream, flush=True)
"""
BUSY = "import time\nend = time.time() + 60\nwhile time.time() < end:\n    pass\n"


def test_stdout_and_stderr_come_back_in_the_order_written_under_load(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_project(project, INTERLEAVED)
    # Two busy processes compete for the cores while the script writes and smtui reads.
    load = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(2)]
    try:
        assert main(["submit", "--config", str(project), "--wait"]) == 0
    finally:
        for busy in load:
            busy.kill()
            busy.wait()
    capsys.readouterr()
    assert main(["logs", only_job(), "--backend", "local", "--filter", "line "]) == 0
    lines = capsys.readouterr().out.splitlines()
    expected = [f"line {i} on {'err' if i % 3 == 0 else 'out'}" for i in range(LINES)]
    assert lines == expected


def test_events_of_one_millisecond_sort_in_written_order() -> None:
    records = [log_record(1000, seq, f"event {seq}") for seq in range(5)]
    parsed = (parse_record(record.rstrip("\n")) for record in records)
    events = [LogEvent(ms, msg, "job/algo-1", seq=seq) for ms, seq, msg in parsed]
    assert [e.message for e in sorted(reversed(events), key=time_order)] == [
        f"event {i}" for i in range(5)
    ]
    assert parse_record("1700000000000\told\tformat") == (1700000000000, 0, "old\tformat")
