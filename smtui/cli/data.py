"""`smtui sync-data`, `smtui ls`, `smtui download`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from smtui.cli.common import lenient_spec, make_backend_for, resolve_job, run_async
from smtui.cli.jobs import confirm
from smtui.cli.render import human_size, plural, table
from smtui.core.errors import Interrupted, SmtuiError, UsageError
from smtui.core.formats import when
from smtui.core.s3uri import S3Uri
from smtui.core.safetext import clean
from smtui.core.spec import JobSpec
from smtui.services.artifacts import download_artifacts
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


def _sync_paths(args: argparse.Namespace, spec: JobSpec) -> tuple[Path, str]:
    src = Path(args.src) if args.src else None
    if src is None and spec.sync is not None:
        src = spec.config_dir / spec.sync.src
    if src is None:
        raise UsageError("sync-data: no folder to sync; pass --src DIR or set submit.sync.src")
    if not src.is_dir():
        raise UsageError(f"--src: '{src}' is not a folder")
    dest = args.dest or (spec.sync.dest if spec.sync and spec.sync.dest else None)
    if dest is None and spec.bucket:
        dest = spec.data_uri
    if dest is None:
        raise UsageError(
            "sync-data: no destination; pass --dest s3://bucket/prefix/data/ or set bucket"
        )
    if not dest.startswith("s3://"):
        raise UsageError(f"--dest: '{dest}' is not an s3:// URI")
    return src, dest if dest.endswith("/") else dest + "/"


def _print_plan(plan: SyncPlan, verbose: bool, delete: bool) -> None:
    # File names and keys are anyone's: shown with their control characters made visible.
    print(clean(f"sync {plan.src} -> {plan.dest}: {plan.summary(delete)}"), file=sys.stderr)
    if verbose:
        for file, why in plan.uploads:
            print(clean(f"upload ({why}) {file.rel}  {human_bytes(file.size)}"))
        for obj in plan.deletes:
            print(clean(f"delete {obj.key}"))


async def _show_progress(progress: TransferProgress) -> None:
    while True:
        await asyncio.sleep(0.5)
        print(
            f"\r{progress.done_files}/{progress.total_files} files, "
            f"{human_bytes(progress.done_bytes)}/{human_bytes(progress.total_bytes)}",
            end="", file=sys.stderr, flush=True,
        )  # fmt: skip


async def _sync_once(backend: Backend, args: argparse.Namespace, src: Path, dest: str) -> int:
    cache = HashCache(smtui_home() / "cache" / "sync-etags.json")
    plan = await plan_folder_sync(backend.storage, src, dest, cache)
    cache.save()
    placeholder = plan.take_placeholder(PLACEHOLDER)
    _print_plan(plan, verbose=args.dry_run, delete=args.delete)
    if placeholder is not None:
        verb = "would remove" if args.dry_run else "removing"
        print(f"smtui: {verb} {PLACEHOLDER}: the folder brings real data", file=sys.stderr)
    if args.dry_run:
        return 0
    if placeholder is not None:
        bucket = S3Uri.parse(dest).bucket
        await backend.storage.delete_objects([f"s3://{bucket}/{placeholder.key}"])
    delete = bool(args.delete and plan.deletes)
    if delete and not args.yes and not confirm(f"delete {len(plan.deletes)} objects under {dest}?"):
        print("deletes skipped", file=sys.stderr)
        delete = False
    progress = TransferProgress()
    ticker = asyncio.create_task(_show_progress(progress)) if sys.stderr.isatty() else None
    try:
        await apply_plan(backend.storage, plan, delete, progress)
    except asyncio.CancelledError:
        # Ctrl-C: the storage cancelled what was in flight; say what is already there.
        if ticker is not None:
            print(file=sys.stderr)  # end the progress line
        raise Interrupted(
            f"interrupted: {progress.done_files} of {progress.total_files} uploaded"
            f" ({human_bytes(progress.done_bytes)}); run sync-data again to finish"
        ) from None
    finally:
        if ticker is not None:
            ticker.cancel()
    print(
        f"\ruploaded {plural(progress.done_files, 'file')} ({human_bytes(progress.done_bytes)})"
        + (f", deleted {len(plan.deletes)}" if delete else ""),
        file=sys.stderr,
    )
    return 0


WATCH_RETRY = 5.0
"""Seconds before `--watch` tries again after a sync failed for a reason that may pass."""


async def _watch(backend: Backend, args: argparse.Namespace, src: Path, dest: str) -> int:
    from watchfiles import awatch

    changed = asyncio.Event()

    async def note_changes() -> None:
        async for _changes in awatch(src):
            changed.set()

    # Watch before the first sync, so a file written while a sync runs is never missed.
    watcher = asyncio.create_task(note_changes())
    try:
        await _sync_once(backend, args, src, dest)
        print(f"watching {src} (ctrl+c to stop)", file=sys.stderr)
        while True:
            waiting = asyncio.ensure_future(changed.wait())
            await asyncio.wait({watcher, waiting}, return_when=asyncio.FIRST_COMPLETED)
            waiting.cancel()
            if watcher.done():  # the watch failed, e.g. the folder went away
                raise SmtuiError(f"stopped watching {src}: {watcher.exception()}")
            changed.clear()
            try:
                await _sync_once(backend, args, src, dest)
            except ServiceError as exc:
                if not exc.retryable:
                    raise
                # An outage must not end a watch that runs for hours: try again shortly.
                print(clean(f"smtui: {exc}; syncing again in {WATCH_RETRY:.0f} s"), file=sys.stderr)
                asyncio.get_running_loop().call_later(WATCH_RETRY, changed.set)
    finally:
        watcher.cancel()


def run_sync(args: argparse.Namespace) -> int:
    spec = lenient_spec(args)
    src, dest = _sync_paths(args, spec)
    backend = make_backend_for(spec, args)
    bucket = S3Uri.parse(dest).bucket
    # The config's own bucket is created as a submit would create it: syncing first, then
    # submitting, is the usual order (and the local backend has no other way to make one).
    if bucket == spec.bucket and not args.dry_run:
        if run_async(backend.storage.ensure_bucket(bucket, spec.region)):
            print(f"smtui: created bucket s3://{bucket}/", file=sys.stderr)
    return run_async((_watch if args.watch else _sync_once)(backend, args, src, dest))


def run_ls(args: argparse.Namespace) -> int:
    backend = make_backend_for(lenient_spec(args), args)
    listing = run_async(backend.storage.list_prefix(args.uri))
    rows = [["", f.rsplit("/", 2)[-2] + "/", ""] for f in listing.folders]
    rows += [
        [human_size(o.size), o.key.rsplit("/", 1)[-1], when(o.modified)] for o in listing.objects
    ]
    for line in table(rows, indent="") if rows else []:
        print(line)
    if listing.next_token:
        print("(more objects not shown)", file=sys.stderr)
    return 0


async def _download(backend: Backend, args: argparse.Namespace, dest: Path) -> Path:
    try:
        return await download_artifacts(backend, args.job, dest, args.extract, args.force)
    except asyncio.CancelledError:
        raise Interrupted(
            "interrupted: the download was stopped and its partial file removed"
        ) from None


def run_download(args: argparse.Namespace) -> int:
    backend = make_backend_for(lenient_spec(args), args)
    args.job = resolve_job(args, backend)  # @latest: the newest job of the config
    # ./<job>/ by default, as the TUI does: never the project folder itself.
    dest = Path(args.dest) if args.dest else Path(args.job)
    target = run_async(_download(backend, args, dest))
    print(
        clean(f"downloaded {target}" + (f" and extracted it into {dest}" if args.extract else "")),
        file=sys.stderr,
    )
    return 0
