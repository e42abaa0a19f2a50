"""The data pane against moto: browse the prefix lazily, sync with the plan first and a
progress bar, cancel part way, and watch the folder."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import boto3
import pytest
from textual.widgets import ProgressBar, Tree

from smtui.core.overrides import Overrides
from smtui.services.backend import Backend, TransferProgress
from smtui.tui import data as data_module
from smtui.tui.app import SmtuiApp
from smtui.tui.data import DataPane
from tests.tui.conftest import shown, until


def keys() -> list[str]:
    s3 = boto3.client("s3", region_name="us-east-1")
    listed = s3.list_objects_v2(Bucket="my-bucket", Prefix="custom-run/data/")
    return sorted(o["Key"] for o in listed.get("Contents", []))


async def open_data(app: SmtuiApp, pilot: Any) -> DataPane:
    await app.main.mount_views()  # the hidden views mount when first needed
    await until(pilot, lambda: app.configs.spec is not None, "the config")
    await pilot.press("2")
    await until(pilot, lambda: app.data.data_present is not None, "the root listed")
    return app.data


async def test_sync_shows_the_plan_then_uploads_with_progress(
    aws_backend: Backend, data_project: Path
) -> None:
    app = SmtuiApp(aws_backend, config=data_project, overrides=Overrides())
    async with app.run_test(size=(120, 36)) as pilot:
        pane = await open_data(app, pilot)
        assert "data/ is empty (a submit writes a placeholder)" in shown(
            pane.query_one("#data-title")
        )
        await pilot.press("u")
        plan = pane.query_one("#data-plan")
        await until(pilot, lambda: "3 to upload" in shown(plan), "the plan")
        assert "part-0.csv" in shown(plan) and keys() == []  # nothing sent before the second y
        await pilot.press("u")
        await until(pilot, lambda: "synced: 3 uploaded" in shown(plan), "the sync")
        assert keys() == [f"custom-run/data/part-{i}.csv" for i in range(3)]
        bar = pane.query_one("#data-progress", ProgressBar)
        assert bar.total == bar.progress == 24_000
        assert "3/3 files" in shown(pane.query_one("#data-rate"))
        await until(pilot, lambda: pane.data_present, "data/ listed again")
        await pilot.press("u")
        await until(pilot, lambda: "0 to upload" in shown(plan) and "3 unchanged" in shown(plan),
                    "a no-op plan")  # fmt: skip


async def test_browse_lazily_with_more_pages(
    aws_backend: Backend, data_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(data_module, "PAGE", 2)
    s3 = boto3.client("s3", region_name="us-east-1")
    for i in range(5):
        s3.put_object(Bucket="my-bucket", Key=f"custom-run/data/f{i}.txt", Body=b"x" * i)
    s3.put_object(Bucket="my-bucket", Key="custom-run/outputs/job/output/model.tar.gz", Body=b"")
    app = SmtuiApp(aws_backend, config=data_project, overrides=Overrides())
    async with app.run_test(size=(120, 36)) as pilot:
        pane = await open_data(app, pilot)
        assert "data/ has data" in shown(pane.query_one("#data-title"))
        tree: Tree[Any] = pane.query_one("#data-tree", Tree)
        names = [str(n.label) for n in tree.root.children]
        assert names == ["data/", "outputs/"]  # folders first, one page of two
        data_node = tree.root.children[0]
        data_node.expand()
        await until(pilot, lambda: len(data_node.children) == 3, "a page and '… more'")
        assert str(data_node.children[0].label).startswith("f0.txt  0 B")
        assert str(data_node.children[-1].label) == "… more"
        tree.select_node(data_node.children[-1])
        await until(pilot, lambda: len(data_node.children) == 5, "the second page")
        tree.select_node(data_node.children[-1])

        def last_page() -> bool:
            children = data_node.children
            return len(children) == 5 and str(children[-1].label).startswith("f4.txt")

        await until(pilot, last_page, "the last page")


class Stalling:
    """Storage whose uploads stop after the first file until cancelled."""

    def __init__(self, storage: Any) -> None:
        self.storage = storage

    def __getattr__(self, name: str) -> Any:
        return getattr(self.storage, name)

    async def upload_files(
        self, pairs: list[tuple[Path, str]], progress: TransferProgress | None = None
    ) -> None:
        await self.storage.upload_files(pairs[:1], progress)
        await asyncio.Event().wait()


async def test_cancel_keeps_what_finished(aws_backend: Backend, data_project: Path) -> None:
    aws_backend.storage = Stalling(aws_backend.storage)
    app = SmtuiApp(aws_backend, config=data_project, overrides=Overrides())
    async with app.run_test(size=(120, 36)) as pilot:
        pane = await open_data(app, pilot)
        await pilot.press("u")
        await until(pilot, lambda: "3 to upload" in shown(pane.query_one("#data-plan")), "plan")
        await pilot.press("u")
        await until(pilot, lambda: "1/3 files" in shown(pane.query_one("#data-rate")), "one file")
        await pilot.press("escape")
        await until(pilot, lambda: "cancelled" in shown(pane.query_one("#data-plan")), "cancel")
        assert keys() == ["custom-run/data/part-0.csv"]


async def test_watch_syncs_on_change(aws_backend: Backend, data_project: Path) -> None:
    app = SmtuiApp(aws_backend, config=data_project, overrides=Overrides())
    async with app.run_test(size=(120, 36)) as pilot:
        pane = await open_data(app, pilot)
        await pilot.press("w")
        assert "watching" in shown(pane.query_one("#data-title"))
        await until(pilot, lambda: len(keys()) == 3, "the first sync")
        (data_project.parent / "data" / "late.csv").write_text("new\n")
        await until(pilot, lambda: "custom-run/data/late.csv" in keys(), "the change synced")
        await pilot.press("w")
        assert "watching" not in shown(pane.query_one("#data-title"))


async def test_a_missing_bucket_is_shown_in_the_tree_and_listed_again_on_reload(
    aws_backend: Backend, project: Path
) -> None:
    app = SmtuiApp(aws_backend, config=project, overrides=Overrides())
    async with app.run_test(size=(120, 36)) as pilot:
        await app.main.mount_views()  # the hidden views mount when first needed
        await until(pilot, lambda: app.configs.spec is not None, "the config")
        await pilot.press("2")
        tree: Tree[Any] = app.data.query_one("#data-tree", Tree)

        def labels() -> list[str]:
            return [str(node.label) for node in tree.root.children]

        await until(pilot, lambda: labels(), "the listing's outcome")
        assert labels() == ["✗ s3:ListObjectsV2: there is no bucket 'my-bucket' (check the name)"]
        assert not app._notifications  # in the pane, not a toast over another view
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="my-bucket")
        await pilot.press("ctrl+r")
        await until(pilot, lambda: labels() == ["(empty)"], "the bucket listed")
