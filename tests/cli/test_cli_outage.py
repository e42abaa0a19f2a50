"""`smtui logs --follow` in its own process while the endpoint goes away for 10 s."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from smtui.core.logevents import host_of
from tests.awsfakes import MotoEndpoint, create_job, put_events, put_events_offline, set_status
from tests.procs import Reader

NOW = int(time.time() * 1000)
STREAMS = ("down/algo-1-1700000000", "down/algo-2-1700000000")


def lines(start: int, count: int, label: str) -> dict[str, list[tuple[int, str]]]:
    return {
        stream: [(NOW + 10 * (start + i) + h, f"{label} {i}") for i in range(count)]
        for h, stream in enumerate(STREAMS, 1)
    }


def test_follow_survives_ten_seconds_without_an_endpoint(moto_server: MotoEndpoint) -> None:
    create_job("down", hosts=2)
    written: list[tuple[int, str, str]] = []

    def write(batch: dict[str, list[tuple[int, str]]], offline: bool = False) -> None:
        for stream, events in batch.items():
            (put_events_offline if offline else put_events)(stream, events)
            written.extend((ts, f"[{host_of(stream)}] {msg}", stream) for ts, msg in events)

    write(lines(0, 50, "before"))
    process = subprocess.Popen(
        [sys.executable, "-m", "smtui", "logs", "down", "--follow"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    try:
        out, err = Reader(process.stdout), Reader(process.stderr)
        assert out.wait_for(lambda seen: len(seen) >= 100, 30), err.lines
        moto_server.stop()
        down_since = time.monotonic()
        write(lines(100, 40, "during"), offline=True)
        assert err.wait_for(lambda seen: any("cannot reach" in s for s in seen), 10), err.lines
        time.sleep(max(0.0, down_since + 10 - time.monotonic()))  # 10 s away in all
        moto_server.start()
        write(lines(200, 30, "after"))
        set_status("down", "Completed")
        assert process.wait(timeout=90) == 0, err.lines
    finally:
        process.kill()
    assert out.wait_for(lambda seen: len(seen) >= len(written), 5)
    assert out.lines == [line for _, line, _ in sorted(written)]
    assert any("current again" in s for s in err.lines), err.lines
