"""S3 through boto3 and s3transfer: listing, bucket creation, uploads, deletes, downloads.

Transfers run in a thread, so cancelling the coroutine that awaits them (Ctrl-C in the CLI,
a cancelled worker in the TUI) would leave the thread uploading every remaining file. So each
transfer watches a `threading.Event` that the coroutine sets when it is cancelled: the
thread then cancels s3transfer's futures, whose failure clean-ups abort the multipart uploads
this run started and remove a partial download's temporary file, and the coroutine waits for
that before it lets the cancellation go on.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from smtui.core.s3uri import S3Uri
from smtui.services.aws.clients import AwsClients
from smtui.services.backend import Listing, S3Object, TransferProgress
from smtui.services.errors import AccessDenied, NotFound

CHUNK = 8 * 1024 * 1024
"""Multipart threshold and part size; the sync planner computes ETags with the same size."""
CONCURRENCY = 16
POLL = 0.1
"""Seconds between checks for a cancellation while transfers run: Ctrl-C acts within this."""

T = TypeVar("T")


class TransferCancelled(Exception):
    """The transfers were cancelled part way (raised in the transfer thread only)."""


def _object(item: dict[str, Any]) -> S3Object:
    return S3Object(
        item["Key"], int(item["Size"]), item["LastModified"], item.get("ETag", "").strip('"')
    )


class _Progress:
    """An s3transfer subscriber that adds bytes and finished files to a `TransferProgress`,
    and sets `finished` whenever a transfer ends (so a waiter notices at once)."""

    def __init__(self, progress: TransferProgress, name: str, finished: threading.Event) -> None:
        self.progress = progress
        self.name = name
        self.finished = finished

    def on_queued(self, **kwargs: Any) -> None:
        pass

    def on_progress(self, bytes_transferred: int, **kwargs: Any) -> None:
        self.progress.add(nbytes=bytes_transferred)

    def on_done(self, future: Any, **kwargs: Any) -> None:
        from s3transfer.exceptions import CancelledError

        try:
            future.result()
        except CancelledError:
            pass  # cancelled, not failed: the caller reports what was done
        except Exception:
            self.progress.add(failed=self.name)
        else:
            self.progress.add(files=1)
        finally:
            self.finished.set()  # s3transfer marks the future done before calling this


def _wait_for(futures: list[Any], cancelled: threading.Event, finished: threading.Event) -> None:
    """Wait for every future, raising `TransferCancelled` within `POLL` of `cancelled` being
    set (the transfer manager's exit then cancels the rest); the first failure is raised.
    `finished` is set by the subscribers as each transfer ends, so the last one's end is
    noticed at once, not at the next poll."""
    remaining = list(futures)
    while True:
        finished.clear()  # before looking: an end after the look sets it again
        remaining = [f for f in remaining if not f.done()]
        if not remaining:
            break
        if cancelled.is_set():
            raise TransferCancelled
        finished.wait(POLL)
    errors = []
    for future in futures:
        try:
            future.result()
        except Exception as exc:
            errors.append(exc)
    if errors:
        raise errors[0]


def _transfer_config() -> Any:
    from boto3.s3.transfer import TransferConfig

    return TransferConfig(
        multipart_threshold=CHUNK, multipart_chunksize=CHUNK, max_concurrency=CONCURRENCY
    )


class AwsStorage:
    """`StorageService` over S3."""

    def __init__(self, clients: AwsClients) -> None:
        self.clients = clients

    async def list_prefix(self, uri: str, token: str | None = None, limit: int = 1000) -> Listing:
        where = S3Uri.parse(uri).folder
        kwargs: dict[str, Any] = {
            "Bucket": where.bucket,
            "Prefix": where.key,
            "Delimiter": "/",
            "MaxKeys": limit,
        }
        if token:
            kwargs["ContinuationToken"] = token
        page = await self.clients.call("s3", "list_objects_v2", **kwargs)
        folders = [f"s3://{where.bucket}/{p['Prefix']}" for p in page.get("CommonPrefixes", [])]
        objects = [_object(item) for item in page.get("Contents", [])]
        return Listing(folders, objects, page.get("NextContinuationToken"))

    async def list_all(self, uri: str) -> list[S3Object]:
        where = S3Uri.parse(uri)

        def scan(client: Any) -> list[S3Object]:
            paginator = client.get_paginator("list_objects_v2")
            found: list[S3Object] = []
            for page in paginator.paginate(Bucket=where.bucket, Prefix=where.key):
                found += [_object(item) for item in page.get("Contents", [])]
            return found

        return await self.clients.run("s3", "list_objects_v2", scan)

    async def ensure_bucket(self, bucket: str, region: str | None) -> bool:
        try:
            await self.clients.call("s3", "head_bucket", Bucket=bucket)
            return False
        except NotFound:
            pass  # an explicit 404: the bucket does not exist, so it is ours to create
        except AccessDenied:
            # 403: the bucket exists but is not ours (or our policy hides it). Never create.
            raise AccessDenied(
                f"bucket '{bucket}' exists but these credentials may not use it (403); "
                "check the bucket name and your s3:ListBucket permission"
            ) from None
        region = region or self.clients.region
        kwargs: dict[str, Any] = {"Bucket": bucket}
        if region and region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
        await self.clients.call("s3", "create_bucket", **kwargs)
        return True

    async def put_bytes(self, uri: str, data: bytes) -> None:
        where = S3Uri.parse(uri)
        await self.clients.call("s3", "put_object", Bucket=where.bucket, Key=where.key, Body=data)

    async def read_bytes(self, uri: str) -> bytes:
        where = S3Uri.parse(uri)

        def read(client: Any) -> bytes:
            body: bytes = client.get_object(Bucket=where.bucket, Key=where.key)["Body"].read()
            return body

        return await self.clients.run("s3", "get_object", read)

    async def _cancellable(self, operation: str, work: Callable[[Any, threading.Event], T]) -> T:
        """Run `work(client, cancelled)` in a thread; when this coroutine is cancelled, set
        `cancelled` and wait for the thread to stop before passing the cancellation on."""
        import asyncio  # here: the TUI's start imports this module before it needs asyncio

        cancelled = threading.Event()
        task = asyncio.ensure_future(
            self.clients.run("s3", operation, lambda client: work(client, cancelled))
        )
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            cancelled.set()
            with contextlib.suppress(Exception):
                await task  # the thread cancels its futures and aborts what it started
            raise

    async def upload_files(
        self, pairs: list[tuple[Path, str]], progress: TransferProgress | None = None
    ) -> None:
        progress = progress or TransferProgress()

        def upload(client: Any, cancelled: threading.Event) -> None:
            from boto3.s3.transfer import create_transfer_manager

            finished = threading.Event()
            with create_transfer_manager(client, _transfer_config()) as manager:
                futures = []
                for path, uri in pairs:
                    if cancelled.is_set():  # a big sync can be stopped while it is queued
                        raise TransferCancelled
                    where = S3Uri.parse(uri)
                    subscriber = _Progress(progress, str(path), finished)
                    futures.append(
                        manager.upload(str(path), where.bucket, where.key, subscribers=[subscriber])
                    )
                # Raising inside the `with` makes the manager cancel every future and wait.
                _wait_for(futures, cancelled, finished)

        await self._cancellable("put_object", upload)

    async def delete_objects(self, uris: list[str]) -> None:
        by_bucket: dict[str, list[str]] = {}
        for uri in uris:
            where = S3Uri.parse(uri)
            by_bucket.setdefault(where.bucket, []).append(where.key)
        for bucket, keys in by_bucket.items():
            for start in range(0, len(keys), 1000):
                chunk = [{"Key": k} for k in keys[start : start + 1000]]
                await self.clients.call(
                    "s3", "delete_objects", Bucket=bucket, Delete={"Objects": chunk}
                )

    async def download(
        self, uri: str, dest: Path, progress: TransferProgress | None = None
    ) -> None:
        where = S3Uri.parse(uri)
        progress = progress or TransferProgress()

        def fetch(client: Any, cancelled: threading.Event) -> None:
            from boto3.s3.transfer import create_transfer_manager

            # s3transfer writes to a temporary name and renames it when complete; a
            # cancelled or failed download removes the temporary file.
            finished = threading.Event()
            with create_transfer_manager(client, _transfer_config()) as manager:
                subscriber = _Progress(progress, uri, finished)
                future = manager.download(
                    where.bucket, where.key, str(dest), subscribers=[subscriber]
                )
                _wait_for([future], cancelled, finished)

        await self._cancellable("get_object", fetch)
