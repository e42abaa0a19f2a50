"""The profile and region last chosen in the app are where `smtui` starts next time,
unless a flag or the environment names one; a value in settings.json that is not a name is
an error naming the file and the key."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from smtui.cli import main
from smtui.cli import tui as cli_tui
from smtui.services.backend import Backend, BackendSettings
from smtui.services.settings import remember_place, settings_path


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """What `smtui` would open the app with (the app itself is not run)."""
    seen: dict[str, Any] = {}

    def run_app(backend: Backend, theme: str | None, job: str | None, config: Path | None,
                overrides: Any, *, debug: bool = False) -> int:  # fmt: skip
        seen.update(backend=backend, overrides=overrides)
        return 0

    monkeypatch.setattr(cli_tui, "run_app", run_app)
    yield seen
    from smtui.services.aws import prefetch

    prefetch.release()  # `run` started a child early, which the real `run_app` releases


def settings_of(seen: dict[str, Any]) -> BackendSettings:
    backend = seen["backend"]
    assert isinstance(backend, Backend) and backend.settings is not None
    return backend.settings


def test_the_place_chosen_in_the_app_is_where_it_starts(started: dict[str, Any]) -> None:
    remember_place("dev", "eu-west-1")
    assert main([]) == 0
    assert settings_of(started) == BackendSettings("aws", "dev", "eu-west-1")
    value, origin = started["overrides"].values["region"]
    assert (value, origin) == ("eu-west-1", f"{settings_path()} (chosen in the app)")


def test_a_flag_or_the_environment_outranks_it(
    started: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    remember_place("dev", "eu-west-1")
    assert main(["--region", "us-west-2"]) == 0
    assert settings_of(started) == BackendSettings("aws", "dev", "us-west-2")
    monkeypatch.setenv("AWS_PROFILE", "ci")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")
    assert main([]) == 0  # with no config file, botocore reads the two variables itself
    assert settings_of(started) == BackendSettings("aws", None, None)
    assert "profile" not in started["overrides"].values


def test_a_config_file_region_is_outranked_as_by_the_environment(
    started: dict[str, Any], project: Path
) -> None:
    remember_place(None, "eu-west-1")  # the config says us-east-1
    assert main([]) == 0
    assert settings_of(started).region == "eu-west-1"


def test_a_value_that_is_not_a_name_is_an_error(
    started: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"region": 5}))
    assert main([]) == 2
    assert capsys.readouterr().err == f"error: {path}: region: must be a name, not 5\n"
    assert "backend" not in started
