"""The debug log and the TUI's crash file.

`--log FILE` (or `SMTUI_LOG=FILE`) appends smtui's own records to FILE: each AWS call's
operation, time and outcome, retries, the TUI's failed operations and refreshes. Request
and response bodies are never logged (hyperparameters and environment values can be
secrets), and URLs are written with their passwords masked. The file is created private
(0600): it names jobs, buckets and keys.

A TUI that stops on a bug writes the traceback to a crash file under smtui's home and
says where it is, instead of showing a traceback (`--debug` shows it).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import traceback
from pathlib import Path

from smtui.core.safetext import clean
from smtui.core.secrets import redact_url
from smtui.services.home import smtui_home

log = logging.getLogger("smtui")

_handlers: list[tuple[logging.Logger, logging.Handler]] = []

FORMAT = "%(asctime)s.%(msecs)03d %(levelname)s %(threadName)s %(name)s: %(message)s"


class _Redacted(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return clean(redact_url(super().format(record)), multiline=True)


def start(path: str | os.PathLike[str] | None) -> Path | None:
    """Log to `path` (None: `$SMTUI_LOG`, and nothing when that is unset too)."""
    where = path or os.environ.get("SMTUI_LOG")
    if not where:
        return None
    target = Path(where).expanduser()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    handler = logging.StreamHandler(os.fdopen(fd, "a", encoding="utf-8", errors="replace"))
    handler.setFormatter(_Redacted(FORMAT, datefmt="%Y-%m-%dT%H:%M:%S"))
    for name, level in (("smtui", logging.DEBUG), ("botocore.retryhandler", logging.DEBUG)):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(level)
        _handlers.append((logger, handler))
    log.info("smtui debug log started (pid %d)", os.getpid())
    return target


def stop() -> None:
    """Close the debug log (the command is done)."""
    closed = set()
    while _handlers:
        logger, handler = _handlers.pop()
        logger.removeHandler(handler)
        if id(handler) not in closed:
            closed.add(id(handler))
            handler.close()


def write_crash(error: BaseException) -> Path | None:
    """The traceback of `error` in a new private file under smtui's home (None when it
    cannot be written: the caller then says so)."""
    folder = smtui_home() / "crashes"
    when = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = folder / f"tui-{when}-{os.getpid()}.txt"
    text = "".join(traceback.format_exception(error))
    log.error("the TUI stopped on a bug:\n%s", text)
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as out:
            out.write(clean(redact_url(text), multiline=True))
    except OSError:
        return None
    return path
