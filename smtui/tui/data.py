"""The data pane (`2`): the config's S3 prefix as a lazily loaded tree, and the sync of the
local data folder to `s3://B/P/data/`: the plan first, then uploads with a progress bar.

A sync is two presses of `u` (upload): the first plans (what uploads, what is unchanged, what has
no local file) and shows it, the second sends it. `esc` cancels a sync under way; what
finished stays finished. `w` watches the folder and syncs on every change.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, ProgressBar, Static, Tree
from textual.widgets.tree import TreeNode
from textual.worker import Worker, WorkerState

from smtui.core.formats import when
from smtui.core.s3uri import S3Uri
from smtui.core.safetext import clean
from smtui.core.spec import JobSpec
from smtui.services.backend import Backend, TransferProgress
from smtui.services.errors import ServiceError
from smtui.services.home import smtui_home
from smtui.services.sync import (
    PLACEHOLDER,
    HashCache,
    SyncPlan,
    apply_plan,
    human_bytes,
    plan_folder_sync,
)
from smtui.tui.clock import near
from smtui.tui.fields import KeysInOrder, focus_now
from smtui.tui.guard import allowed
from smtui.tui.plain import plain

PAGE = 1000


@dataclass(frozen=True)
class Entry:
    """What a tree node stands for: a prefix (folder) or an object, or the next page."""

    uri: str
    folder: bool
    more_token: str | None = None


class S3Tree(KeysInOrder, Tree[Entry]):
    """The bucket's prefixes and objects; keys typed in one read act in order
    (`KeysInOrder`)."""


class DataPane(Vertical):
    """Browse `s3://B/P/`; plan, run and watch the data sync."""

    BINDINGS = [
        Binding(
            "u",
            "sync",
            "Sync",
            tooltip="Plan a sync (upload) of the local folder to data/; u again sends it",
        ),
        Binding("y", "copy", "Copy", show=False, tooltip="Copy the S3 URI under the cursor"),
        Binding("w", "toggle_watch", "Watch", tooltip="Watch the folder and sync on every change"),
        Binding(
            "escape",
            "cancel",
            "Cancel sync",
            show=False,
            tooltip="Cancel the sync or drop the plan",
        ),
        Binding("ctrl+r", "reload", "Reload", show=False, tooltip="Reload the S3 tree"),
    ]

    def __init__(self, backend: Backend) -> None:
        super().__init__(id="data")
        self.backend = backend
        self.spec: JobSpec | None = None
        self.plan: SyncPlan | None = None
        self.progress: TransferProgress | None = None
        self.watching = False
        self._again = False
        """A watched folder changed while a sync ran: plan again when it ends."""
        self._started = 0.0
        self.data_present: bool | None = None
        """Whether `data/` holds anything (None until the root is listed)."""
        self._listed: set[int] = set()
        """Tree nodes whose first page was asked for (expanding again must not repeat it)."""

    def compose(self) -> ComposeResult:
        yield Static("Data: select a config (3) with a bucket", id="data-title", markup=False)
        with Horizontal():
            yield S3Tree("s3://", id="data-tree")
            with Vertical(id="data-sync"):
                yield Static("", id="data-plan", markup=False)
                yield Checkbox("delete what has no local file", id="data-delete")
                yield ProgressBar(id="data-progress", show_eta=False)
                yield Static("", id="data-rate", markup=False)

    def on_mount(self) -> None:
        self.query_one("#data-progress").display = False
        self.set_interval(0.25, self._show_progress)

    def use_backend(self, backend: Backend) -> None:
        """Browse `backend`'s S3 (another profile or region; no sync runs, `busy` saw to
        it): the tree is listed again when the configs have resolved for it."""
        self.workers.cancel_group(self, "data-list")
        self.backend = backend
        self.plan = None
        self.spec = None
        self._reset_tree()  # nothing of the old account stays on screen meanwhile
        self._show_title()

    # --- the config ------------------------------------------------------------------
    def use(self, spec: JobSpec | None) -> None:
        """Show `spec`'s bucket and sync folder (the selected config changed)."""
        same = spec is not None and self.spec is not None and spec.s3_root == self.spec.s3_root
        self.spec = spec
        self.plan = None
        if not same:
            self._reset_tree()
        self._show_title()
        self.query_one("#data-plan", Static).update(self._plan_hint())

    @property
    def src(self) -> Path | None:
        if self.spec is None or self.spec.sync is None:
            return None
        return self.spec.config_dir / self.spec.sync.src

    def _show_title(self) -> None:
        spec = self.spec
        if spec is None or spec.bucket is None:
            self.query_one("#data-title", Static).update("Data: the selected config has no bucket")
            return
        title = Text.assemble(("Data  ", "bold"), spec.s3_root)
        src = self.src
        title.append(f"  ·  sync {near(src)} → data/" if src else "  ·  no sync.src set")
        if self.data_present is not None:
            state = "has data" if self.data_present else "is empty"
            fix = " (a submit writes a placeholder)" if spec.ensure_data else " (ensure-data off)"
            title.append(f"  ·  data/ {state}" + ("" if self.data_present else fix))
        if self.watching:
            title.append("  ·  watching", style="bold")
        self.query_one("#data-title", Static).update(title)

    def _plan_hint(self) -> Text:
        if self.src is None:
            return Text("set submit.sync.src in the config to sync a local folder (u)")
        text = Text(f"u: plan a sync of {near(self.src)}/\nw: watch it and sync on every change")
        if self.spec is not None and self.spec.ensure_data:
            text.append(
                f"\nensure-data: a submit puts {PLACEHOLDER} in an empty data/ (SageMaker "
                "refuses an empty channel)"
            )
        return text

    # --- the tree --------------------------------------------------------------------
    def _reset_tree(self) -> None:
        tree: Tree[Entry] = self.query_one("#data-tree", Tree)
        tree.clear()
        self._listed.clear()
        if self.spec is None or self.spec.bucket is None:
            tree.root.set_label("no bucket")
            return
        root = self.spec.s3_root
        tree.root.set_label(plain(root))
        tree.root.data = Entry(root, True)
        self._listed.add(tree.root.id)
        self._load(tree.root, root, None)
        tree.root.expand()

    @work(group="data-list", exit_on_error=False)
    async def _load(self, node: TreeNode[Entry], uri: str, token: str | None) -> None:
        try:
            listing = await self.backend.storage.list_prefix(uri, token, PAGE)
        except ServiceError as exc:
            # Shown where it happened, not as a toast over whatever view is open; the
            # folder lists again when reopened (or ctrl+r).
            node.add_leaf(plain(f"✗ {exc}", style="bold red"))
            self._listed.discard(node.id)
            return
        bucket = S3Uri.parse(uri).bucket
        for folder in listing.folders:  # full URIs
            name = folder.rstrip("/").rsplit("/", 1)[-1] + "/"
            node.add(plain(name), Entry(folder, True))
        for obj in listing.objects:
            label = plain(obj.key.rsplit("/", 1)[-1])
            label.append(f"  {human_bytes(obj.size)}  {when(obj.modified)}", style="dim")
            node.add_leaf(label, Entry(f"s3://{bucket}/{obj.key}", False))
        if listing.next_token:
            node.add_leaf(Text("… more", style="italic"), Entry(uri, False, listing.next_token))
        if node.is_root and token is None and self.spec is not None:
            self.data_present = self.spec.data_uri in listing.folders
            self._show_title()
            if not listing.folders and not listing.objects:
                node.add_leaf(Text("(empty)", style="dim"))

    def focus_tree(self) -> None:
        """Put the focus on the S3 tree (the `2` key)."""
        focus_now(self.query_one("#data-tree", Tree))

    @on(Tree.NodeExpanded, "#data-tree")
    def _expanded(self, event: Tree.NodeExpanded[Entry]) -> None:
        entry = event.node.data
        if entry is not None and entry.folder and event.node.id not in self._listed:
            self._listed.add(event.node.id)
            event.node.remove_children()  # a failed listing's message, when retried
            self._load(event.node, entry.uri, None)

    @on(Tree.NodeSelected, "#data-tree")
    def _selected(self, event: Tree.NodeSelected[Entry]) -> None:
        entry = event.node.data
        if entry is not None and entry.more_token is not None and event.node.parent is not None:
            parent = event.node.parent
            event.node.remove()
            self._load(parent, entry.uri, entry.more_token)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return allowed(self, action)  # read-only mode greys out the sync and watch mode

    def action_reload(self) -> None:
        self._reset_tree()

    def action_copy(self) -> None:
        """The S3 URI of the folder or object under the tree's cursor."""
        node = self.query_one("#data-tree", Tree).cursor_node
        entry = node.data if node is not None else None
        if entry is None or entry.more_token is not None:
            self.notify("no S3 object or folder under the cursor", severity="warning")
            return
        self.app.copy_to_clipboard(entry.uri)
        self.notify(f"copied the S3 URI: {entry.uri}")

    # --- the sync --------------------------------------------------------------------
    def action_sync(self) -> None:
        """First press: plan and show it. Second press: send it."""
        if self.spec is None or self.src is None:
            self.notify("the config sets no sync.src folder to sync", severity="warning")
            return
        if self.progress is not None:
            return  # one at a time
        if self.plan is None:
            self._plan(confirm=True)
        else:
            self._run(self.plan)

    @work(exclusive=True, group="data-plan", exit_on_error=False)
    async def _plan(self, confirm: bool) -> None:
        assert self.spec is not None and self.src is not None
        if not self.src.is_dir():
            self.query_one("#data-plan", Static).update(
                Text(f"{self.src} is not a folder", style="bold red")
            )
            return
        self.query_one("#data-plan", Static).update(f"planning {self.src} → {self.spec.data_uri}…")
        cache = HashCache(smtui_home() / "cache" / "sync-etags.json")
        plan = await plan_folder_sync(self.backend.storage, self.src, self.spec.data_uri, cache)
        await asyncio.to_thread(cache.save)
        self.plan = plan
        self.query_one("#data-plan", Static).update(self._describe(plan, confirm))
        if not confirm:
            self._run(plan)

    def _describe(self, plan: SyncPlan, confirm: bool) -> Text:
        delete = self.query_one("#data-delete", Checkbox).value
        text = Text(f"{near(plan.src)}/ → {plan.dest}\n", style="bold")
        text.append(plan.summary(delete) + "\n")
        for file, why in plan.uploads[:8]:
            text.append(f"  ↑ {clean(file.rel)}  {human_bytes(file.size)} ({why})\n")
        if len(plan.uploads) > 8:
            text.append(f"  … and {len(plan.uploads) - 8} more\n")
        for obj in plan.deletes[:5]:
            mark, fate = ("✗", "deleted") if delete else ("·", "kept")
            text.append(f"  {mark} {clean(obj.key)} (no local file: {fate})\n", style="dim")
        if confirm:
            text.append("\nu: send it   esc: drop the plan", style="bold")
        return text

    @on(Checkbox.Changed, "#data-delete")
    def _delete_changed(self) -> None:
        if self.plan is not None:  # the plan shown says what the box now means
            self.query_one("#data-plan", Static).update(self._describe(self.plan, True))

    @work(exclusive=True, group="data-sync", exit_on_error=False)
    async def _run(self, plan: SyncPlan) -> None:
        delete = self.query_one("#data-delete", Checkbox).value
        self.progress = TransferProgress()
        self._started = time.monotonic()
        bar = self.query_one("#data-progress", ProgressBar)
        bar.display = True
        bar.update(total=max(plan.upload_bytes, 1), progress=0)
        try:
            await apply_plan(self.backend.storage, plan, delete, self.progress)
        finally:
            done = self.progress.done_files
            self._show_progress()
            self.progress = None
            self.plan = None
            if self.watching and self._again:  # the folder changed while this sync ran
                self._again = False
                self._plan(confirm=False)
        self.query_one("#data-plan", Static).update(
            Text(f"synced: {done} uploaded" + (f", {len(plan.deletes)} deleted" if delete else ""))
        )
        self._reload_data_folder()

    def _reload_data_folder(self) -> None:
        tree: Tree[Entry] = self.query_one("#data-tree", Tree)
        for node in tree.root.children:
            if node.data is not None and node.data.uri == (self.spec and self.spec.data_uri):
                node.remove_children()
                self._listed.discard(node.id)
                if node.is_expanded:
                    self._listed.add(node.id)
                    self._load(node, node.data.uri, None)
                return
        self._reset_tree()  # data/ was not there before this sync

    def _show_progress(self) -> None:
        progress = self.progress
        if progress is None:
            return
        bar = self.query_one("#data-progress", ProgressBar)
        bar.update(progress=progress.done_bytes)
        seconds = max(time.monotonic() - self._started, 1e-6)
        self.query_one("#data-rate", Static).update(
            f"{progress.done_files}/{progress.total_files} files · "
            f"{human_bytes(progress.done_bytes)}/{human_bytes(progress.total_bytes)} · "
            f"{human_bytes(progress.done_bytes / seconds)}/s"
        )

    def action_cancel(self) -> None:
        if self.progress is not None:
            self.workers.cancel_group(self, "data-sync")
            self.workers.cancel_group(self, "data-plan")
        elif self.plan is not None:
            self.plan = None
            self.query_one("#data-plan", Static).update(self._plan_hint())

    @on(Worker.StateChanged)
    def _sync_ended(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group not in ("data-sync", "data-plan", "data-list"):
            return
        event.stop()
        if worker.state == WorkerState.CANCELLED and worker.group == "data-sync":
            self.query_one("#data-plan", Static).update(
                "sync cancelled: what was uploaded stays; y plans again"
            )
        elif worker.state == WorkerState.ERROR:
            self.notify(str(worker.error), title="data", severity="error", timeout=10)

    # --- watching --------------------------------------------------------------------
    def action_toggle_watch(self) -> None:
        if self.watching:
            self.watching = False
            self.workers.cancel_group(self, "data-watch")
        elif self.src is not None and self.src.is_dir():
            self.watching = True
            self._watch(self.src)
        else:
            self.notify("the config sets no sync.src folder to watch", severity="warning")
        self._show_title()

    @work(exclusive=True, group="data-watch", exit_on_error=False)
    async def _watch(self, src: Path) -> None:
        from watchfiles import awatch

        self._plan(confirm=False)  # watching starts with a sync
        async for _changes in awatch(src, debounce=500):
            if self.progress is None:
                self._plan(confirm=False)
            else:
                self._again = True
