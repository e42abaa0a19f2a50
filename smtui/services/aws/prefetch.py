"""The first page of the jobs list, fetched by a process of its own while the TUI starts.

Before the first call, a process spends about a quarter of a second importing boto3 and
building the SageMaker client from its service model, all of it on the CPU. In the TUI's
own process that time added to Textual's start-up, since the GIL runs one at a time, and
the first rows came at 1.8× `aws sagemaker list-training-jobs`. A child process does it on
another core while the app starts, so the rows show as soon as the app has drawn its frame.
To win more of that race, `smtui` starts the child (`start_early`) before the config is
resolved: it imports botocore while waiting for its request, and builds a client that
knows only its one call (`onecall.py`).

The request goes to the child on its stdin (an endpoint URL may carry a password, and
argv is visible to every user). The child answers with the response as JSON (times in ISO
8601), or with nothing. Nothing goes wrong loudly here: when the child fails (credentials
that need a prompt, an error from the service, a crash) or takes longer than `PATIENCE`,
the app makes the call itself, as without a prefetch, and reports what goes wrong then.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import json
import subprocess
import sys
from typing import Any

PATIENCE = 3.0
"""Seconds the app waits for the child's answer, from its first call, before calling itself."""


class Prefetch:
    """One call made by a child process: the one `start_early` started, else a new one."""

    def __init__(
        self, settings: dict[str, Any], service: str, operation: str, kwargs: dict[str, Any]
    ) -> None:
        """`settings`: the `AwsSettings` of the clients, as a dict."""
        global _early
        self.key = call_key(service, operation, kwargs)
        request = {
            "settings": settings,
            "service": service,
            "operation": operation,
            "kwargs": kwargs,
        }
        self._child, _early = _early or _start(), None
        stdin, self._child.stdin = self._child.stdin, None  # given now; `communicate` reads
        assert stdin is not None
        with contextlib.suppress(BrokenPipeError), stdin:  # a child that died gives nothing
            stdin.write(json.dumps(request).encode())

    def answered(self) -> bool:
        """Whether the child has ended, so `result` returns without waiting (an answer
        too big for the pipe keeps the child from ending until it is read)."""
        return self._child.poll() is not None

    def result(self) -> dict[str, Any] | None:
        """The response, or None: the caller makes the call itself (blocks: run in a thread)."""
        try:
            out, _ = self._child.communicate(timeout=PATIENCE)
        except subprocess.TimeoutExpired:
            self._child.kill()
            self._child.communicate()
            return None
        if self._child.returncode != 0:
            return None
        try:
            response = json.loads(out)
        except ValueError:
            return None
        return response if isinstance(response, dict) else None


_early: subprocess.Popen[bytes] | None = None
"""A child started by `start_early`, waiting for the request of the first `Prefetch`."""


def start_early() -> None:
    """Start the child before the call is known (before the config resolves): it imports
    botocore, then waits for its request. Unused, it ends when `release` or the app's exit
    closes its stdin."""
    global _early
    if _early is None:
        _early = _start()


def release() -> None:
    """Let an early child that no `Prefetch` took end (the backend is not aws)."""
    global _early
    if _early is not None and _early.stdin is not None:
        _early.stdin.close()
    _early = None


def _start() -> subprocess.Popen[bytes]:
    child = subprocess.Popen(
        [sys.executable, "-m", "smtui.services.aws.clients"],  # its `child` runs
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    atexit.register(child.kill)  # nothing once it has ended
    return child


def call_key(service: str, operation: str, kwargs: dict[str, Any]) -> tuple[str, str, str]:
    """What makes two calls alike (any argument, even one JSON cannot hold)."""
    return service, operation, json.dumps(kwargs, sort_keys=True, default=repr)


def to_json(response: dict[str, Any]) -> str:
    """A response as the child writes it: times in ISO 8601."""
    response.pop("ResponseMetadata", None)
    return json.dumps(response, default=_iso)


def _iso(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")
