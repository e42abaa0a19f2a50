"""`smtui` / `smtui tui`: the terminal UI on the backend the config and flags name."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from smtui.cli.common import config_path, global_overrides, lenient_spec, make_backend_for
from smtui.core.overrides import Overrides
from smtui.core.place import PLACE_ENV
from smtui.services.settings import remembered_place, settings_path

if TYPE_CHECKING:
    from smtui.services.backend import Backend


def run_app(
    backend: Backend,
    theme: str | None,
    job: str | None = None,
    config: Path | None = None,
    overrides: Overrides | None = None,
    *,
    debug: bool = False,
) -> int:
    """Run the TUI until the user quits: 0, or 1 when it stopped on a bug (it has said
    where the crash file is; with `debug`, Textual has printed the traceback)."""
    backend.prefetch()  # the first page of jobs, on another core while Textual starts
    from smtui.services.aws import prefetch

    prefetch.release()  # an early child the backend did not take (not aws)
    from smtui.tui.app import SmtuiApp

    app = SmtuiApp(backend, theme=theme, job=job, config=config, overrides=overrides)
    app.tracebacks = debug
    app.run()
    return 1 if app.return_code else 0


def run(args: argparse.Namespace) -> int:
    if "local" not in (getattr(args, "backend", None), os.environ.get("SMTUI_BACKEND")):
        from smtui.services.aws import prefetch

        prefetch.start_early()  # botocore's import, on another core while the config resolves
    overrides = global_overrides(args)
    for attr, value in remembered(overrides, os.environ).items():
        overrides.set(attr, value, f"{settings_path()} (chosen in the app)")
    backend = make_backend_for(lenient_spec(args, overrides), args)
    return run_app(
        backend,
        getattr(args, "theme", None),
        None,
        config_path(args),
        overrides,
        debug=getattr(args, "debug", False),
    )


def remembered(overrides: Overrides, environ: Mapping[str, str]) -> dict[str, str]:
    """The profile and region last chosen in the app (`:profile`, `:region`), each where
    neither a flag nor the environment names one: they rank as the environment does, above
    the profile's region and the config file."""
    return {
        attr: value
        for attr, value in remembered_place().items()
        if attr not in overrides.values and not any(environ.get(v) for v in PLACE_ENV[attr])
    }
