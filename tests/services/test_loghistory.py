"""The on-disk log history: every event kept exactly, searched and saved while it grows."""

from __future__ import annotations

import re
import threading
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from smtui.core.logevents import LogEvent, plain_width, render_event, render_events
from smtui.services.loghistory import LogHistory

STREAM = "job/algo-2-1700000000"


@given(st.lists(st.text(alphabet=st.characters(codec="utf-8")), max_size=20))
def test_messages_come_back_exactly(messages: list[str]) -> None:
    history = LogHistory()
    try:
        events = [LogEvent(1_700_000_000_000 + i, m, STREAM) for i, m in enumerate(messages)]
        history.append(events)
        assert [(e.timestamp, e.message, e.stream) for e in history.events()] == [
            (e.timestamp, e.message, e.stream) for e in events
        ]
    finally:
        history.close()


def test_search_keeps_the_newest_matches_and_counts_all(tmp_path: Path) -> None:
    history = LogHistory(tmp_path)
    history.append([LogEvent(i, f"step {i}", STREAM) for i in range(1000)])
    found, total = history.matching(lambda e: re.search(r"step \d*7$", e.message), limit=5)
    assert total == 100 and [e.message for e in found] == [
        f"step {i}" for i in range(957, 1000, 10)
    ]
    history.close()
    assert not history.path.exists()


def test_save_renders_hosts_and_times(tmp_path: Path) -> None:
    history = LogHistory(tmp_path)
    history.append([LogEvent(1_790_000_000_123, "loss=0.5", STREAM)])
    count = history.save(tmp_path / "out.log", hosts=True)
    assert count == 1
    assert (tmp_path / "out.log").read_text() == "2026-09-21T14:13:20.123+00:00 [algo-2] loss=0.5\n"
    history.close()


def test_render_events_matches_render_event() -> None:
    events = [LogEvent(1_790_000_000_000 + i, f"line {i}\n", STREAM) for i in range(3)]
    for hosts in (False, True):
        for timestamps in (False, True):
            assert render_events(events, hosts=hosts, timestamps=timestamps) == [
                render_event(e, hosts=hosts, timestamps=timestamps) for e in events
            ]


@given(
    st.lists(
        st.tuples(st.text(alphabet=st.characters(codec="utf-8")), st.sampled_from(
            ["job/algo-1-17", "job/algo-12-17", "job/al\x1bgo-3-17", "job/algo-\t4"]
        )),
        max_size=12,
    ),
    st.booleans(),
)  # fmt: skip
def test_a_plain_width_is_the_eager_renderers_widest_one_line_each(
    written: list[tuple[str, str]], hosts: bool
) -> None:
    """The view draws a batch lazily only when `plain_width` vouches for it: then each event
    is one line, as `render_events` draws it, and the width is their widest."""
    events = [LogEvent(i, message, stream) for i, (message, stream) in enumerate(written)]
    width = plain_width(events, hosts=hosts)
    if width is None:
        return
    lines = render_events(events, hosts=hosts, timestamps=False)
    assert lines == [render_event(e, hosts=hosts, timestamps=False) for e in events]
    assert all("\n" not in line and "\t" not in line and line.isprintable() for line in lines)
    assert width == max(map(cell_len, lines), default=0)


def test_plain_width_vouches_for_a_flood_of_ascii_lines() -> None:
    events = [LogEvent(i, f"step {i} loss=0.5", f"job/algo-{i % 16 + 1}-17") for i in range(100)]
    assert plain_width(events, hosts=True) == len("[algo-10] step 99 loss=0.5")
    assert plain_width([*events, LogEvent(0, "\x1b]52;c;aGk=\x07", STREAM)], hosts=True) is None
    assert plain_width([*events, LogEvent(0, "süß", STREAM)], hosts=True) is None


def test_a_stream_name_is_shown_not_obeyed() -> None:
    """Anyone who can write to the log group can name a stream: its host is cleaned too."""
    event = LogEvent(0, "hello", "job/algo\x1b]0;pwned\x07-1-17")
    assert render_event(event, hosts=True, timestamps=False) == "[algo^[]0;pwned^G-1] hello"
    assert render_events([event], hosts=True, timestamps=False) == ["[algo^[]0;pwned^G-1] hello"]


def test_a_reader_in_a_thread_sees_whole_records_while_writes_go_on(tmp_path: Path) -> None:
    history = LogHistory(tmp_path)
    stop = threading.Event()
    bad: list[str] = []

    def read() -> None:
        while not stop.is_set():
            for event in history.events():
                if not event.message.startswith("m") or event.stream != STREAM:
                    bad.append(event.message)

    reader = threading.Thread(target=read)
    reader.start()
    for batch in range(200):
        history.append([LogEvent(batch, f"m{batch}-{i}" * 3, STREAM) for i in range(50)])
    stop.set()
    reader.join()
    assert bad == [] and history.count == 10_000
    history.close()


BATCHES = st.lists(
    st.lists(st.tuples(st.integers(0, 60), st.sampled_from("123")), min_size=1, max_size=8),
    max_size=12,
)


@given(BATCHES)
def test_late_lines_come_back_in_time_order(batches: list[list[tuple[int, str]]]) -> None:
    """Batches each in time order, arriving in any order (a host's lines reaching CloudWatch
    late): read back, every line is in its place, ties kept in arrival order."""
    history = LogHistory()
    try:
        arrived: list[LogEvent] = []
        for batch in batches:
            events = sorted(
                (LogEvent(ts, f"line {len(arrived) + i}", f"job/algo-{h}-1") for i, (ts, h) in
                 enumerate(batch)), key=lambda e: (e.timestamp, e.stream),
            )  # fmt: skip
            history.append(events)
            arrived += events
        expected = sorted(arrived, key=lambda e: (e.timestamp, e.stream))
        assert [(e.timestamp, e.stream, e.message) for e in history.events()] == [
            (e.timestamp, e.stream, e.message) for e in expected
        ]
        assert history.count == len(arrived)
    finally:
        history.close()


def test_in_order_history_is_read_as_written(tmp_path: Path) -> None:
    history = LogHistory(tmp_path)
    history.append([LogEvent(i, f"a {i}", "job/algo-1-1") for i in range(0, 100, 2)])
    history.append([LogEvent(i, f"b {i}", "job/algo-2-1") for i in range(100, 200, 2)])
    assert history.lateness == 0
    history.append([LogEvent(i, f"c {i}", "job/algo-3-1") for i in range(150, 160)])
    assert history.lateness == 198 - 150 + 1
    dest = tmp_path / "saved.log"
    assert history.save(dest, hosts=True, timestamps=False) == 110
    saved = dest.read_text().splitlines()
    assert saved[74:77] == ["[algo-2] b 148", "[algo-2] b 150", "[algo-3] c 150"]
    history.close()


def test_awkward_messages_and_streams_come_back_exactly(tmp_path: Path) -> None:
    """Lone surrogates either side of a block's message boundary (JSON's `\\ud83d`), lines
    that hold newlines, tabs and backslashes, empty messages, and stream names first seen
    in a later block."""
    history = LogHistory(tmp_path)
    try:
        first = [
            LogEvent(1, "ends in half a pair \ud83d", STREAM),
            LogEvent(2, "\ude00 starts with the other half", STREAM),
            LogEvent(3, "two\nlines\tand a \\ back\\nslash", STREAM),
            LogEvent(4, "", STREAM),
        ]
        later = [LogEvent(5, "日本語 🙂", 'job/algo-10-1\t"quoted"'), LogEvent(6, "x", STREAM)]
        history.append(first)
        history.append(later)
        assert [(e.timestamp, e.message, e.stream) for e in history.events()] == [
            (e.timestamp, e.message, e.stream) for e in first + later
        ]
    finally:
        history.close()
