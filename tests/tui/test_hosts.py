"""The watched job's hosts in the TUI, against moto: a 4-host job's metrics as SageMaker
publishes them (PutMetricData), read with GetMetricData while the job is watched; the
idle host and the straggler are flagged on the job's row, in the status line and in the
details, with their numbers. 300 other jobs are listed around it."""

from __future__ import annotations

from pathlib import Path

import pytest

from smtui.core.overrides import Overrides
from smtui.services.factory import BackendSettings, make_backend
from smtui.tui.app import SmtuiApp
from smtui.tui.details import DetailsScreen
from smtui.tui.hosts import HostLines
from tests.awsfakes import record_calls
from tests.fleet import JOB, fleet
from tests.tui.conftest import burst, shown, until
from tests.tui.test_readonly import many_jobs


async def test_the_watched_jobs_hosts_and_its_idle_and_straggling_hosts(
    moto_aws: None, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    many_jobs()
    fleet()  # the newest job: the cursor starts on it
    backend = make_backend(BackendSettings("aws", region="us-east-1"))
    app = SmtuiApp(backend, config=project, overrides=Overrides())
    sent = record_calls(monkeypatch)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: app.logs.job == JOB, "the fleet's logs")
        strip = app.query_one(HostLines)
        await until(pilot, lambda: strip.display, "the host lines")
        lines = [line.rstrip() for line in shown(strip).strip().splitlines()]
        # The flagged hosts first; GPU values per GPU (SageMaker's are summed over 4), on a
        # fixed scale (a host at 2 % reads low, not as a full bar).
        flat, cpu = "▅" * 15, "▁" * 15
        assert lines == [
            f"algo-2  GPU {'▁' * 15} 2% · GPU mem {flat} 60% · CPU {cpu} 311%",
            f"algo-3  GPU {'▃' * 15} 41% · GPU mem {flat} 60% · CPU {cpu} 311%",
            f"algo-1  GPU {'▆▆▇' * 5} 86% · GPU mem {flat} 60% · CPU {cpu} 311%",
            f"algo-4  GPU {'▇' * 15} 89% · GPU mem {flat} 60% · CPU {cpu} 311%",
        ]
        await until(pilot, lambda: "⚠" in str(app.jobs.table.get_cell(JOB, "secondary")),
                    "the row flagged")  # fmt: skip
        row = str(app.jobs.table.get_cell(JOB, "secondary"))
        assert row == "⚠ idle+1"  # the row keeps its width: the status line says which
        status = shown(app.main.status)
        assert f"{JOB}: algo-2 idle: GPU 2.0 %/GPU at most for 10 min" in status
        assert sent.count("cloudwatch:GetMetricData") == 1  # one call for every host
        burst(app, "enter")
        await until(pilot, lambda: isinstance(app.screen, DetailsScreen) and app.screen.complete,
                    "the details")  # fmt: skip
        screen = app.screen
        assert isinstance(screen, DetailsScreen)
        text = screen.text()
        assert "⚠ algo-2: algo-2 idle: GPU 2.0 %/GPU at most for 10 min" in text
        assert "⚠ algo-3: algo-3 straggling: 40 %/GPU against the hosts' 85 over 10 min" in text
        assert [label for label, _ in screen.rows if label.startswith("algo-")] == [
            "algo-1", "algo-2", "algo-3", "algo-4"]  # fmt: skip
    # Moving to another job stops the reads: metrics only while watched.
