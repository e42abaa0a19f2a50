"""The first page of jobs, made ahead by a child process while the TUI starts
(`services/aws/prefetch.py`), against moto's server: the same page, one call, and the
app's own call when the child gives nothing."""

from __future__ import annotations

from typing import Any

import pytest

from smtui.services.errors import ServiceError
from smtui.services.factory import BackendSettings, make_backend
from tests.awsfakes import MotoEndpoint, create_job, sort_like_sagemaker


@pytest.fixture(autouse=True)
def sorted_like_sagemaker() -> Any:
    undo = sort_like_sagemaker()
    yield
    undo()


def calls_seen(backend: Any) -> list[str]:
    """The ListTrainingJobs calls this process makes itself (botocore's events)."""
    seen: list[str] = []
    backend.jobs.clients.on(
        "before-call.sagemaker.ListTrainingJobs", lambda **kwargs: seen.append("list")
    )
    return seen


async def test_the_page_made_ahead_is_the_page_and_the_app_makes_no_call(
    moto_server: MotoEndpoint,
) -> None:
    for i in range(120):
        create_job(f"job-{i:04d}", status="Completed")
    direct = await make_backend(BackendSettings("aws")).jobs.list_jobs()
    backend = make_backend(BackendSettings("aws"))
    backend.prefetch()
    seen = calls_seen(backend)
    page = await backend.jobs.list_jobs()
    assert seen == []  # the child made it
    assert [(job.name, job.created, job.status) for job in page.jobs] == [
        (job.name, job.created, job.status) for job in direct.jobs
    ]
    assert page.next_token == direct.next_token and len(page.jobs) == 50
    assert page.jobs[0].created.tzinfo is not None
    await backend.jobs.list_jobs()  # the next call is the app's own
    assert seen == ["list"]


async def test_a_filtered_first_list_does_not_take_the_unfiltered_page(
    moto_server: MotoEndpoint,
) -> None:
    create_job("done", status="Completed")
    create_job("running", status="InProgress")
    backend = make_backend(BackendSettings("aws"))
    backend.prefetch()
    seen = calls_seen(backend)
    page = await backend.jobs.list_jobs(status="InProgress")
    assert [job.name for job in page.jobs] == ["running"] and seen == ["list"]


async def test_when_the_child_gives_nothing_the_app_calls_and_reports(
    moto_server: MotoEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    moto_server.stop()  # refused: the child fails, then the app's own call says why
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    backend = make_backend(BackendSettings("aws"))
    backend.prefetch()
    seen = calls_seen(backend)
    with pytest.raises(ServiceError) as failed:
        await backend.jobs.list_jobs()
    assert seen == ["list"] and failed.value.retryable


async def test_a_child_started_early_takes_the_request_once_it_is_known(
    moto_server: MotoEndpoint,
) -> None:
    from smtui.services.aws import prefetch

    for i in range(3):
        create_job(f"job-{i}", status="Completed")
    prefetch.start_early()  # before the backend's settings are known, as `smtui` does
    early = prefetch._early
    assert early is not None
    backend = make_backend(BackendSettings("aws"))
    backend.prefetch()
    assert prefetch._early is None  # taken, not a second child
    seen = calls_seen(backend)
    page = await backend.jobs.list_jobs()
    assert [job.name for job in page.jobs] == ["job-2", "job-1", "job-0"] and seen == []
    assert early.returncode == 0


def test_an_early_child_no_backend_takes_ends_when_released() -> None:
    from smtui.services.aws import prefetch

    prefetch.start_early()
    early = prefetch._early
    assert early is not None
    prefetch.release()
    assert early.wait(timeout=30) == 1 and prefetch._early is None  # no request: it ends


def test_the_tui_on_the_local_backend_starts_no_child(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    import smtui.cli.tui as cli_tui
    from smtui.cli import main
    from smtui.services.aws import prefetch

    started: list[str] = []
    monkeypatch.setattr(prefetch, "start_early", lambda: started.append("child"))
    monkeypatch.setattr(cli_tui, "run_app", lambda *args, **kwargs: 0)
    monkeypatch.setenv("SMTUI_HOME", str(tmp_path / "home"))
    assert main(["--backend", "local"]) == 0
    assert main(["--backend", "aws", "--region", "us-east-1"]) == 0
    assert started == ["child"]
