"""The TUI on the local backend with real processes: `smtui demo`'s two-host job watched
from InProgress to Completed, its logs streaming, then its model downloaded with `d`."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest
from rich.text import Text

from smtui.cli.demo import start_demo
from smtui.core.config import resolve_config
from smtui.services.home import smtui_home
from smtui.services.local import local_backend
from smtui.services.submit import submit_spec
from smtui.tui.app import SmtuiApp
from smtui.tui.dialogs import ConfirmDialog
from tests.tui.conftest import shown, until


def status_of(app: SmtuiApp, job: str) -> str:
    value = app.jobs.table.get_cell(job, "status")
    return value.plain if isinstance(value, Text) else str(value)


async def test_demo_job_streams_two_hosts_and_completes(tmp_path: Path) -> None:
    home = tmp_path / "demo"
    job = await start_demo(home)
    app = SmtuiApp(local_backend(home), job=job)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: job in app.jobs.model.summaries, "the job listed")
        await until(pilot, lambda: app.logs.job == job, "its tail (after the first frame)")
        assert app.jobs.selected == job
        seen: list[str] = []

        def completed() -> bool:
            status = status_of(app, job)
            if not seen or seen[-1] != status:
                seen.append(status)
            return status == "Completed"

        await until(pilot, completed, "Completed in the jobs pane")
        assert seen == ["InProgress", "Completed"]  # watched while it ran, updated in place
        await until(pilot, lambda: app.logs.ended, "the final drain")
        assert app.logs.status == "Completed"
        lines = list(app.logs.view.lines)
        for host in ("algo-1", "algo-2"):
            assert any(line.startswith(f"[{host}] epoch 12/12") for line in lines), lines
        assert "2 hosts" in shown(app.query_one("#logs-title"))
        # The demo's metric definitions, read from both hosts' lines, drawn as sparklines.
        loss, accuracy = app.logs.metrics.seen
        assert (loss.name, accuracy.name) == ("loss", "accuracy")
        # Each host's values apart: the line is algo-1's 12 epochs, not both hosts zig-zagging.
        assert loss.leader == "algo-1" and sorted(loss.hosts) == ["algo-1", "algo-2"]
        assert len(loss.values) == 12 and list(loss.values) == sorted(loss.values, reverse=True)
        assert loss.spread is not None
        metrics = shown(app.query_one("#logs-metrics"))
        assert metrics.startswith("loss") and f"{loss.last:g} algo-1 · 2 hosts" in metrics
        await pilot.press("d")
        archive = tmp_path / job / "model.tar.gz"
        await until(pilot, archive.exists, "the download")
        await until(pilot, lambda: any("saved" in n.message for n in app._notifications), "done")
        with tarfile.open(archive) as tar:
            assert sorted(tar.getnames()) == ["model-algo-1.json", "model-algo-2.json"]
        # Again: the archive there is replaced only when the user says so.
        archive.write_bytes(b"mine")
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "asked first")
        await pilot.press("n")
        await pilot.pause(0.5)
        assert archive.read_bytes() == b"mine"
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "asked again")
        await pilot.press("y")
        await until(pilot, lambda: tarfile.is_tarfile(archive), "replaced")


async def test_stop_a_running_local_job(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMTUI_LOCAL_STOP_GRACE", "2")
    (project.parent / "code-bundle" / "train.py").write_text(
        "import time\nprint('started', flush=True)\ntime.sleep(120)\n"
    )
    backend = local_backend(smtui_home())
    spec = resolve_config(project, None, {})
    job = (await submit_spec(backend, spec)).job_name
    app = SmtuiApp(backend)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: "started" in app.logs.view.lines, "the script running")
        await pilot.press("x", "y")
        await until(pilot, lambda: status_of(app, job) == "Stopped", "Stopped", timeout=30)
        await until(pilot, lambda: app.logs.ended, "the tail's end")
