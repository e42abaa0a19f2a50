"""`K` keeps a job's warm pool longer (or releases it) in the TUI, against moto with the
UpdateTrainingJob it lacks added: a mistake is said in the dialog and mended, the request
is exact, and a job with no pool is refused before any dialog."""

from __future__ import annotations

import pytest

from smtui.services.factory import BackendSettings, make_backend
from smtui.tui.app import SmtuiApp
from smtui.tui.dialogs import KeepAliveDialog
from tests.awsfakes import add_update_training_job, create_job
from tests.cli.test_cli_warm_pool import pooled
from tests.tui.conftest import burst, shown, typed, until


async def test_k_keeps_the_pool_after_a_mistake_is_mended(
    moto_aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    requests = add_update_training_job(monkeypatch)
    create_job("cold", status="Completed")
    pooled()  # the newest: the cursor starts on it
    app = SmtuiApp(make_backend(BackendSettings("aws", region="us-east-1")))
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.jobs.selected == "warm", "the rows")
        burst(app, "K")
        await until(pilot, lambda: isinstance(app.screen, KeepAliveDialog), "the dialog")
        typed(app, "99999\r")
        problem = app.screen.query_one("#keep-alive-problem")
        await until(pilot, lambda: "must be at most 21600" in shown(problem), "the mistake")
        burst(app, *["backspace"] * 5)
        typed(app, "900\r")
        await until(pilot, lambda: requests, "UpdateTrainingJob")
        assert requests == [
            {"TrainingJobName": "warm", "ResourceConfig": {"KeepAlivePeriodInSeconds": 900}}
        ]
        assert not isinstance(app.screen, KeepAliveDialog)
        app.jobs.select("cold")
        await until(pilot, lambda: app.jobs.selected == "cold", "the cold job")
        burst(app, "K")
        await pilot.pause(0.5)
        assert not isinstance(app.screen, KeepAliveDialog)  # no pool: said, nothing asked
        assert any("cold kept no warm pool" in n.message for n in app._notifications)
        assert len(requests) == 1
