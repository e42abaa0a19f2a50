"""The `:` command line, typed as one read the way SSH delivers it, against moto (two
regions, two profiles, 300 jobs) and the local backend: views, `:job`, `:profile` and
`:region` with every pane following and the choice remembered, completion, mistakes."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import boto3
import pytest
from textual.widgets import Header

from smtui.core.overrides import Overrides
from smtui.services.factory import BackendSettings, make_backend
from smtui.services.home import smtui_home
from smtui.services.local import local_backend
from smtui.services.settings import settings_path
from smtui.tui.app import SmtuiApp
from smtui.tui.details import DetailsScreen
from tests.awsfakes import create_job, mutations, record_calls
from tests.tui.conftest import burst, matches, shown, typed, until
from tests.tui.test_readonly import JOBS, many_jobs

EU_JOBS = 7


def places(jobs: int) -> None:
    """`jobs` jobs in us-east-1, a few in eu-west-1; the profile `dev` works in eu-west-1."""
    Path(os.environ["AWS_CONFIG_FILE"]).write_text(
        "[default]\nregion = us-east-1\n\n[profile dev]\nregion = eu-west-1\n"
    )
    Path(os.environ["AWS_SHARED_CREDENTIALS_FILE"]).write_text(
        "[default]\naws_access_key_id = testing\naws_secret_access_key = testing\n"
        "[dev]\naws_access_key_id = testing\naws_secret_access_key = testing\n"
    )
    many_jobs(jobs)
    eu = boto3.client("sagemaker", region_name="eu-west-1")
    for i in range(EU_JOBS):
        create_job(f"eu-run-{i}", status="Completed", via=eu)


@pytest.fixture
def two_places(moto_aws: None) -> None:
    """300 jobs in us-east-1 (pages of them), a few in eu-west-1."""
    places(JOBS)


@pytest.fixture
def small_places(moto_aws: None) -> None:
    """The same with 60 jobs in us-east-1 (still more than a page): for the tests whose
    point is not the account's size."""
    places(60)


def names(app: SmtuiApp) -> set[str]:
    return set(app.jobs.model.summaries)


def notes(app: SmtuiApp) -> list[str]:
    """What the notifications say (a failure's title names what failed); they land a
    message after `notify`."""
    return [f"{note.title}: {note.message}" for note in app._notifications]


def remembered() -> dict[str, Any]:
    return dict(json.loads(settings_path().read_text()))


async def test_region_and_profile_move_every_pane_and_are_remembered(
    two_places: None, data_project: Path
) -> None:
    backend = make_backend(BackendSettings("aws", region="us-east-1"))
    app = SmtuiApp(backend, config=data_project, overrides=Overrides())
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: app.jobs.table.row_count == 50, "the first page")
        await app.main.mount_views()
        await until(pilot, lambda: app.configs.spec is not None, "the config")
        assert app.configs.spec is not None and app.configs.spec.region == "us-east-1"

        typed(app, ":region eu-west-1\r")
        await until(pilot, lambda: names(app) == {f"eu-run-{i}" for i in range(EU_JOBS)}, "eu")
        assert app.sub_title == "aws · default · eu-west-1"
        assert "eu-west-1" in shown(app.main.status)
        header = str(app.query_one(Header).query_one("HeaderTitle").render())
        assert "eu-west-1" in header
        await until(pilot, lambda: (app.logs.job or "").startswith("eu-run-"), "eu logs")
        # The configs pane resolves for the new place, naming where the region came from.
        await until(pilot, lambda: app.configs.spec and app.configs.spec.region == "eu-west-1",
                    "the config resolved again")  # fmt: skip
        assert app.configs.spec is not None
        assert app.configs.spec.origins["region"].detail == ":region in the app"
        assert app.data.backend is app.backend and app.jobs.backend is app.backend
        assert remembered() == {"theme": app.theme, "profile": None, "region": "eu-west-1"}
        assert not app.main.command_line.is_open

        # A profile brings its own region; the first page of us-east-1 comes back after.
        typed(app, ":profile dev\r")
        await until(pilot, lambda: app.sub_title == "aws · dev · eu-west-1", "profile dev")
        await until(pilot, lambda: len(names(app)) == EU_JOBS, "dev's jobs")
        typed(app, ":region us-east-1\r")
        await until(pilot, lambda: app.jobs.table.row_count == 50, "us-east-1 again")
        assert min(names(app)) == f"run-{JOBS - 50:03d}"
        assert remembered()["profile"] == "dev" and remembered()["region"] == "us-east-1"


async def test_a_place_that_does_not_exist_is_refused_and_nothing_moves(
    small_places: None, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = make_backend(BackendSettings("aws", region="us-east-1", readonly=True))
    app = SmtuiApp(backend, config=project, overrides=Overrides())
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.jobs.table.row_count == 50, "the first page")
        sent = record_calls(monkeypatch)
        typed(app, ":region eu-wset-1\r")
        await until(pilot, lambda: notes(app), "the refusal")
        assert "knows no SageMaker in 'eu-wset-1' (did you mean eu-west-1?)" in notes(app)[-1]
        typed(app, ":profile prdo\r")
        await until(pilot, lambda: len(notes(app)) > 1, "the refusal")
        assert "no AWS profile 'prdo' in " in notes(app)[-1]
        assert app.sub_title == "aws · default · us-east-1" and app.backend is backend
        assert not settings_path().exists() or "region" not in remembered()
        # A move keeps read-only mode.
        typed(app, ":region eu-west-1\r")
        await until(pilot, lambda: len(names(app)) == EU_JOBS, "eu")
        assert app.backend.readonly and "READ-ONLY" in app.title
        assert mutations(sent) == []


async def test_job_jumps_to_a_listed_job_and_opens_one_that_is_not(
    two_places: None, project: Path
) -> None:
    backend = make_backend(BackendSettings("aws", region="us-east-1"))
    app = SmtuiApp(backend, config=project, overrides=Overrides())
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.jobs.table.row_count == 50, "the first page")
        # run-26 is the start of ten listed names, offered as listed (newest first): the
        # first Tab shows run-269, the second steps to run-268.
        typed(app, ":job run-26\t\t\r")
        await until(pilot, lambda: app.jobs.selected == "run-268", "the cursor on run-268")
        await until(pilot, lambda: app.logs.job == "run-268", "its logs")
        assert app.focused is app.jobs.table
        # run-007 is pages away: its details open over the list, its logs beneath.
        typed(app, ":job run-007\r")
        await until(pilot, lambda: isinstance(app.screen, DetailsScreen), "the details")
        assert app.logs.job == "run-007"
        await until(pilot, lambda: any("not among the jobs listed" in n for n in notes(app)),
                    "the note")  # fmt: skip
        await pilot.press("escape")
        typed(app, ":job no-such-job\r")
        await until(pilot, lambda: any("open no-such-job failed" in n for n in notes(app)),
                    "not found")  # fmt: skip
        assert not isinstance(app.screen, DetailsScreen)


async def test_views_mistakes_escape_and_quit(small_places: None, project: Path) -> None:
    backend = make_backend(BackendSettings("aws", region="us-east-1"))
    app = SmtuiApp(backend, config=project, overrides=Overrides())
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.jobs.table.row_count == 50, "the first page")
        typed(app, ":configs\r")
        await until(pilot, lambda: app.main.view == "configs", "the configs view")
        typed(app, ":jobs\r")
        await until(pilot, lambda: app.main.view == "jobs-view", "the jobs view")
        # A mistake stays on the line with the reason, to be mended.
        typed(app, ":jbos\r")
        await until(pilot, lambda: "did you mean :jobs?" in hint(app), "the reason")
        assert app.main.command_line.is_open and app.main.command_line.input.value == ":jbos"
        burst(app, "ctrl+u")  # the line emptied, then typed again
        typed(app, ":reg\teu-we\t")
        await until(pilot, lambda: app.main.command_line.input.value == ":region eu-west-",
                    "completed")  # fmt: skip
        assert hint(app) == "eu-west-1  eu-west-2  eu-west-3"
        await pilot.press("escape")
        assert not app.main.command_line.is_open and app.focused is app.jobs.table
        typed(app, ":q\r")
        await until(pilot, lambda: app.return_code is not None, "quit")


def hint(app: SmtuiApp) -> str:
    return shown(app.query_one("#command-hint")).strip()


async def test_the_local_backend_has_no_places_and_says_so(project: Path) -> None:
    app = SmtuiApp(local_backend(smtui_home()), config=project, overrides=Overrides())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.3)
        typed(app, ":profile dev\r")
        await until(pilot, lambda: notes(app), "the refusal")
        assert "the local backend runs on this machine: it has no profiles" in notes(app)[-1]
        typed(app, ":region eu-\t")
        await pilot.pause(0.2)
        assert app.main.command_line.input.value == ":region eu-"  # nothing to offer


async def test_the_palette_moves_to_a_profile_or_a_region(
    small_places: None, project: Path
) -> None:
    backend = make_backend(BackendSettings("aws", region="us-east-1"))
    app = SmtuiApp(backend, config=project, overrides=Overrides())
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: app.jobs.table.row_count == 50, "the first page")
        await pilot.press("ctrl+p")
        typed(app, "aws profile")  # one read: the palette matches once the typing stops
        await until(pilot, lambda: matches(app)[:2] == ["AWS profile: default", "AWS profile: dev"],
                    "the profiles")  # fmt: skip
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        typed(app, "AWS region: eu-west-1")
        await until(pilot, lambda: "AWS region: eu-west-1" in matches(app), "the region")
        await pilot.pause(0.5)  # the palette ranks its matches as they come
        assert matches(app)[0] == "AWS region: eu-west-1"
        await pilot.press("enter")  # the first match is highlighted
        await until(pilot, lambda: len(names(app)) == EU_JOBS, "eu")
        assert app.sub_title == "aws · default · eu-west-1"
