"""`smtui metrics` against moto: a 4-host job's metrics as SageMaker publishes them
(PutMetricData), read with one GetMetricData call; the idle host and the straggler are
flagged with their numbers; `--json` is GetMetricData's MetricDataResults."""

from __future__ import annotations

import json

import pytest

from smtui.cli import main
from tests.awsfakes import record_calls
from tests.fleet import JOB, fleet


def test_every_host_with_the_idle_one_and_the_straggler_flagged(
    moto_aws: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fleet()
    sent = record_calls(monkeypatch)
    assert main(["metrics", JOB]) == 0
    assert sent.count("cloudwatch:GetMetricData") == 1  # every host, every metric: one call
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("GPU values are per GPU: SageMaker sums them over the 4 GPUs")
    shown: dict[str, dict[str, str]] = {}
    host = ""
    for line in out[1:]:
        if line.startswith("⚠"):
            break
        host = line[:8].strip() or host  # the host, then blank under it
        shown.setdefault(host, {})[line[8:17].strip()] = " ".join(line.split()[-2:])
    assert list(shown) == ["algo-1", "algo-2", "algo-3", "algo-4"]
    assert [shown[h]["GPU"] for h in shown] == ["86 %/GPU", "2 %/GPU", "41 %/GPU", "89 %/GPU"]
    assert shown["algo-1"]["GPU mem"] == "60 %/GPU"  # per GPU, not SageMaker's 240 % sum
    assert shown["algo-1"]["CPU"] == "311 %" and shown["algo-4"]["disk"] == "12 %"
    flags = [line for line in out if line.startswith("⚠")]
    assert len(flags) == 2
    assert flags[0].startswith("⚠ algo-2 idle: GPU 2.0 %/GPU at most for 10 min")
    assert flags[1].startswith("⚠ algo-3 straggling: 40 %/GPU against the hosts' 85")


def test_json_is_getmetricdatas_results(moto_aws: None, capsys: pytest.CaptureFixture[str]) -> None:
    fleet()
    assert main(["metrics", JOB, "--json", "--since", "30m"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert len(results) == 4 * 5
    first = results[0]
    assert {"Id", "Label", "Timestamps", "Values", "StatusCode"} <= set(first)
    assert first["Label"] == f"{JOB}/algo-1 GPUUtilization"
    assert len(first["Timestamps"]) == len(first["Values"]) >= 14


def test_a_bad_threshold_in_the_settings_is_named(
    moto_aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from smtui.services.settings import settings_path

    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text(json.dumps({"stalls": {"idle_minutes": -1}}))
    assert main(["metrics", JOB]) == 2
    err = capsys.readouterr().err
    assert "settings.json: stalls.idle_minutes: must be a positive number, not -1" in err
