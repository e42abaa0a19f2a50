"""Host metrics: the GetMetricData request checked by botocore's own validator against its
model of CloudWatch (the oracle), results read back in either order, and the flags."""

from __future__ import annotations

import datetime as dt

import pytest

from smtui.core.errors import UsageError
from smtui.core.hostmetrics import (
    METRICS,
    Series,
    Thresholds,
    flags,
    queries,
    query_id,
    read_results,
)

NOW = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)


def test_sixteen_hosts_are_one_valid_getmetricdata_request() -> None:
    import botocore.session
    from botocore.validate import ParamValidator

    model = botocore.session.get_session().get_service_model("cloudwatch")
    shape = model.operation_model("GetMetricData").input_shape
    asked = queries("big-job", 16)
    request = {"MetricDataQueries": asked, "StartTime": NOW - dt.timedelta(hours=1),
               "EndTime": NOW, "ScanBy": "TimestampAscending"}  # fmt: skip
    report = ParamValidator().validate(request, shape)
    assert not report.has_errors(), report.generate_report()
    assert len(asked) == 80 and len({q["Id"] for q in asked}) == 80
    pattern = model.shape_for("MetricId").metadata.get("pattern")
    import re

    assert pattern is None or all(re.fullmatch(pattern, q["Id"]) for q in asked)
    dims = {q["MetricStat"]["Metric"]["Dimensions"][0]["Value"] for q in asked}
    assert dims == {f"big-job/algo-{n}" for n in range(1, 17)}


def test_results_read_back_oldest_first_whatever_their_order() -> None:
    stamps = [NOW - dt.timedelta(minutes=m) for m in (0, 1, 2)]
    results = [{"Id": query_id("GPUUtilization", 2), "Timestamps": stamps,
                "Values": [3.0, 2.0, 1.0]},  # newest first, as by default
               {"Id": "unknown", "Timestamps": stamps, "Values": [9, 9, 9]}]  # fmt: skip
    series = read_results(results, 2)
    assert series["algo-2"]["GPUUtilization"].values == [1.0, 2.0, 3.0]
    assert series["algo-1"]["GPUUtilization"].values == []
    assert set(series["algo-1"]) == set(METRICS)


def minutes(values: list[float]) -> Series:
    return Series([NOW - dt.timedelta(minutes=len(values) - 1 - i) for i in range(len(values))],
                  values)  # fmt: skip


def hosts(gpu: dict[str, list[float]], cpu: float = 100.0) -> dict[str, dict[str, Series]]:
    return {
        host: {
            m: minutes(values if m == "GPUUtilization" else [cpu] * len(values)) for m in METRICS
        }
        for host, values in gpu.items()
    }


def test_an_idle_host_needs_the_whole_window_and_a_fresh_job_is_not_quiet() -> None:
    short = hosts({"algo-1": [0.0] * 5})  # 5 minutes of idling: not yet 10
    assert flags(short, gpus=8, now=NOW, last_log=NOW, since=NOW) == []
    long = hosts({"algo-1": [8.0] * 12})  # 8 % summed over 8 GPUs: 1 %/GPU
    (flag,) = flags(long, gpus=8, now=NOW, last_log=NOW, since=NOW)
    assert (flag.kind, flag.host) == ("idle", "algo-1")
    quiet = flags(hosts({}), gpus=8, now=NOW, last_log=NOW - dt.timedelta(minutes=20), since=None)
    assert [f.text for f in quiet] == ["no log line for 20 min"]
    fresh = flags(hosts({}), gpus=8, now=NOW, last_log=None, since=NOW - dt.timedelta(minutes=3))
    assert fresh == []


def test_a_cpu_only_straggler_is_compared_per_core() -> None:
    series = hosts({"algo-1": [0.0] * 12, "algo-2": [0.0] * 12, "algo-3": [0.0] * 12})
    for host, cpu in (("algo-1", 380.0), ("algo-2", 390.0), ("algo-3", 60.0)):
        series[host]["CPUUtilization"] = minutes([cpu] * 12)
    found = flags(series, gpus=0, vcpus=4, now=NOW, last_log=NOW, since=None)
    assert [(f.kind, f.host) for f in found] == [("straggler", "algo-3")]
    assert "15 %/core against the hosts' 95" in found[0].text


def test_thresholds_come_from_the_settings_and_a_bad_one_is_named() -> None:
    assert Thresholds.from_settings({"stalls": {"quiet_minutes": 30}}, "s.json").quiet_minutes == 30
    with pytest.raises(UsageError, match=r"s.json: stalls.idle: unknown; the thresholds are"):
        Thresholds.from_settings({"stalls": {"idle": 3}}, "s.json")
    with pytest.raises(UsageError, match="must be a positive number, not True"):
        Thresholds.from_settings({"stalls": {"idle_minutes": True}}, "s.json")
