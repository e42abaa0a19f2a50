"""SageMaker's checkpoint contract on this machine, and the copy of S3 objects into a folder
that channels and restored checkpoints share."""

from __future__ import annotations

import functools
import os
import shutil
import threading
import traceback
from pathlib import Path

from smtui.core.s3uri import S3Uri
from smtui.services.errors import NotFound
from smtui.services.local.storage import LocalStorage, write_atomically

CHECKPOINT_EVERY = float(os.environ.get("SMTUI_LOCAL_CHECKPOINT_EVERY", "2"))
"""Seconds between copies of what changed in checkpoints/ to the checkpoint S3 URI."""


class Checkpoints:
    """SageMaker's checkpoint contract on this machine: what the checkpoint S3 URI holds is
    in every host's `checkpoints/` before the script starts (so a retried or resubmitted
    job resumes), and what the script writes there is copied back while it runs, every
    `CHECKPOINT_EVERY` seconds, and once more at the end."""

    def __init__(self, storage: LocalStorage, uri: str, folders: list[Path]) -> None:
        self.storage = storage
        self.where = S3Uri.parse(uri).folder
        self.folders = folders
        self._sent: dict[Path, tuple[int, int]] = {}
        """Each file's (size, mtime) when last copied: unchanged files are not copied again."""

    def restore(self) -> int:
        """Copy the URI's objects into every host's folder; returns how many objects."""
        try:
            objects = self.storage.walk(self.where)
        except NotFound:
            return 0
        for folder in self.folders:
            for dest in copy_down(objects, self.where.key, folder):
                self._sent[dest] = _signature(dest)
        return len(objects)

    def upload(self) -> int:
        """Copy every file written or changed since the last call; returns how many."""
        copied = 0
        for folder in self.folders:
            for path in sorted(folder.rglob("*")):
                try:
                    if not path.is_file():
                        continue
                    signature = _signature(path)
                    if self._sent.get(path) == signature:
                        continue
                    key = path.relative_to(folder).as_posix()
                    with path.open("rb") as source:
                        copy = functools.partial(shutil.copyfileobj, source)
                        write_atomically(self.storage.path_of(f"{self.where}{key}"), copy)
                except FileNotFoundError:
                    continue  # removed while being copied: the script moved on
                self._sent[path] = signature
                copied += 1
        return copied

    def keep_uploading(self, done: threading.Event) -> threading.Thread:
        """Copy changes in the background until `done` is set."""

        def loop() -> None:
            while not done.wait(CHECKPOINT_EVERY):
                try:
                    self.upload()
                except OSError:
                    traceback.print_exc()  # to the supervisor's log; the final copy retries

        thread = threading.Thread(target=loop, name="checkpoints", daemon=True)
        thread.start()
        return thread


def copy_down(objects: list[tuple[str, Path]], prefix: str, target: Path) -> list[Path]:
    """Copy (key, file) objects under the key `prefix` into `target`, each at its key below
    the prefix (an object named by the whole prefix keeps its own name); the files written."""
    written = []
    for key, path in objects:
        dest = target / (key[len(prefix) :].lstrip("/") or Path(key).name)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)
        written.append(dest)
    return written


def _signature(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns
