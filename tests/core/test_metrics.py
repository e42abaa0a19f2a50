"""Metrics from log lines, as SageMaker's metric definitions read them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from smtui.core.metrics import BLOCKS, MetricTracker, sparkline


def test_values_come_from_the_first_group() -> None:
    tracker = MetricTracker(
        [
            {"Name": "loss", "Regex": r"loss=([0-9.]+)"},
            {"Name": "acc", "Regex": r"accuracy=([0-9.]+)"},
            {"Name": "bad", "Regex": r"(unclosed"},
            {"Name": "nogroup", "Regex": r"loss"},
        ]
    )
    assert [s.name for s in tracker.series] == ["loss", "acc"]
    assert len(tracker.problems) == 2 and "does not compile" in tracker.problems[0]
    lines = ["epoch 1 loss=0.9 accuracy=0.5", "noise", "epoch 2 loss=0.4"]
    assert tracker.feed(("algo-1", line) for line in lines)
    assert list(tracker.series[0].values) == [0.9, 0.4] and tracker.series[1].last == 0.5
    assert not tracker.feed([("algo-1", "loss=?"), ("algo-1", "accuracy: none")])
    assert [s.name for s in tracker.seen] == ["loss", "acc"]


def test_hosts_are_kept_apart_and_the_first_host_leads() -> None:
    tracker = MetricTracker([{"Name": "loss", "Regex": r"loss=([0-9.]+)"}])
    tracker.feed([("algo-10", "loss=5"), ("algo-2", "loss=0.8"), ("algo-10", "loss=4")])
    (loss,) = tracker.seen
    assert loss.leader == "algo-2" and list(loss.values) == [0.8] and loss.last == 0.8
    assert loss.spread == (0.8, 4.0)
    tracker.feed([("algo-1", "loss=0.7")])
    assert loss.leader == "algo-1" and loss.last == 0.7 and loss.spread == (0.7, 4.0)
    assert MetricTracker([]).seen == [] and loss.hosts["algo-10"][-1] == 4.0


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False, width=32), max_size=50),
       st.integers(min_value=1, max_value=30))  # fmt: skip
def test_sparkline_has_one_block_per_point(values: list[float], width: int) -> None:
    line = sparkline(values, width)
    assert len(line) == min(width, len(values))
    assert set(line) <= set(BLOCKS)
    if len(set(values[-width:])) > 1:
        assert BLOCKS[0] in line and BLOCKS[-1] in line


def test_a_catastrophic_regex_is_switched_off_with_a_notice() -> None:
    import time

    tracker = MetricTracker(
        [
            {"Name": "slow", "Regex": r"(a|a)*$"},
            {"Name": "nested", "Regex": r"(a+)+$"},
            {"Name": "loss", "Regex": r"loss=([0-9.]+)"},
        ]
    )
    started = time.monotonic()
    line = "a" * 29 + "b"
    long_line = "a" * 5000 + "b"  # (a+)+$ survives 29 a's under `regex`, not 5000
    tracker.feed([("algo-1", line)] * 50 + [("algo-1", long_line), ("algo-1", "loss=0.5")])
    assert time.monotonic() - started < 1.5  # `re` takes tens of seconds on one such line
    assert [s.name for s in tracker.disabled] == ["slow", "nested"]
    notices = tracker.take_notices()
    assert len(notices) == 2 and "metric slow" in notices[0] and "switched off" in notices[0]
    assert tracker.take_notices() == []
    assert tracker.series[2].last == 0.5  # the others go on measuring
    started = time.monotonic()
    tracker.feed([("algo-1", line)] * 50)  # a switched-off metric costs nothing more
    assert time.monotonic() - started < 0.5


def test_nested_quantifiers_alone_do_not_switch_a_metric_off_when_they_are_fast() -> None:
    tracker = MetricTracker([{"Name": "nested", "Regex": r"(a+)+$"}])
    tracker.feed([("algo-1", "a" * 29 + "b")])
    assert tracker.disabled == [] and tracker.take_notices() == []
