"""A local stream's newest events, read from the end of its file (a finished job opens at
its end however long its log is)."""

from __future__ import annotations

from pathlib import Path

from smtui.services.local.logs import TAIL_BYTES, LocalLogSource, log_record
from smtui.services.local.store import JobStore


async def test_the_newest_events_whole_lines_only_oldest_first(tmp_path: Path) -> None:
    store = JobStore(tmp_path)
    logs = store.folder("long-job") / "logs"
    logs.mkdir(parents=True)
    count = 60_000  # several TAIL_BYTES of file
    with (logs / "algo-1-1.log").open("w") as handle:
        for i in range(count):
            handle.write(log_record(1_000 + i, i, f"step {i} " + "x" * 40))
        handle.write("1999999.0\tnot yet a whole li")  # being written: no newline yet
    assert (logs / "algo-1-1.log").stat().st_size > 4 * TAIL_BYTES
    source = LocalLogSource(store)
    events = await source.last("long-job/algo-1-1", 25_000)
    assert len(events) == 25_000
    assert events[0].message.startswith(f"step {count - 25_000} ")
    assert events[-1].message.startswith(f"step {count - 1} ")
    assert [e.seq for e in events] == list(range(count - 25_000, count))
    assert await source.last("long-job/algo-9-1", 10) == []
    short = await source.last("long-job/algo-1-1", 3)
    assert [e.seq for e in short] == [count - 3, count - 2, count - 1]
