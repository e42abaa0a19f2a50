"""boto3 clients, built once per session and shared (clients are thread-safe; sessions are not).

Credentials come from the standard chain. Retries use botocore's adaptive mode, which adds
client-side rate limiting on top of the standard retry of throttling and connection errors.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import logging
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from smtui.services.aws.prefetch import Prefetch, call_key, to_json
from smtui.services.errors import translate

T = TypeVar("T")
log = logging.getLogger("smtui.aws")


PINNED_REGIONS = {"pricing": "us-east-1"}
"""Services asked in one region whatever the session's: the Price List API answers for
every region from us-east-1."""


@dataclass(frozen=True)
class AwsSettings:
    """Where to connect: each None means the standard chain decides."""

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    max_attempts: int = 4
    """botocore's attempts per call (first try included). Kept low: with botocore's
    exponential backoff four tries take about 3.5 s, so an outage reaches the user (the
    tailer and the TUI say so and keep retrying) within seconds, not after a minute."""
    retry_mode: str = "adaptive"
    """botocore's retry mode: adaptive adds client-side rate limiting after throttling."""
    connect_timeout: float = 5.0
    read_timeout: float = 30.0


class AwsClients:
    """The SageMaker, CloudWatch Logs and S3 clients of one backend."""

    def __init__(self, settings: AwsSettings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._session: Any = None
        self._clients: dict[str, Any] = {}
        self._ahead: dict[tuple[str, str, str], Prefetch] = {}
        """Calls made ahead by a child process (`prefetch.py`), taken by the first like them."""

    def _core_session(self) -> Any:
        """A botocore session for the settings, parsing times without dateutil."""
        import botocore.session

        core = botocore.session.Session(profile=self.settings.profile)
        if self.settings.region is not None:
            core.set_config_variable("region", self.settings.region)
        parsers = core.get_component("response_parser_factory")
        parsers.set_parser_defaults(timestamp_parser=parse_timestamp)
        return core

    def _make_session(self) -> Any:
        import boto3

        return boto3.Session(botocore_session=self._core_session())

    def _config(self) -> Any:
        from botocore.config import Config

        return Config(
            retries={
                "mode": self.settings.retry_mode,
                # botocore's "max_attempts" counts retries; this counts every try.
                "total_max_attempts": self.settings.max_attempts,
            },
            connect_timeout=self.settings.connect_timeout,
            read_timeout=self.settings.read_timeout,
            max_pool_connections=32,
        )

    def client(self, service: str) -> Any:
        """The shared client for `service` (`sagemaker`, `logs`, `s3`), created on first use."""
        with self._lock:
            if service not in self._clients:
                if self._session is None:
                    self._session = self._make_session()
                self._clients[service] = self._session.client(
                    service,
                    region_name=PINNED_REGIONS.get(service),
                    endpoint_url=self.settings.endpoint_url,
                    config=self._config(),
                )
            return self._clients[service]

    def one_call_client(self, service: str, operation: str) -> Any:
        """A botocore client (no boto3) that knows only `operation`, from botocore's data
        trimmed to it (`onecall.py`): the prefetch child's, built in a tenth of the time."""
        from smtui.services.aws import onecall

        def create(core: Any) -> Any:
            return core.create_client(
                service, endpoint_url=self.settings.endpoint_url, config=self._config()
            )

        core = self._core_session()
        trimmed = onecall.loader(core, service, operation)
        if trimmed is not None:
            core.register_component("data_loader", trimmed)
            try:
                return create(core)
            except Exception:  # noqa: BLE001 (a trim this botocore can't read: made again)
                onecall.discard(service, operation)
                core = self._core_session()
        client = create(core)
        onecall.keep(core, service, operation)
        return client

    @property
    def region(self) -> str | None:
        """The region the clients use, once resolved by the credential chain."""
        with self._lock:
            if self._session is None:
                self._session = self._make_session()
            region: str | None = self._session.region_name
            return region

    def on(self, event: str, handler: Callable[..., Any]) -> None:
        """Register a botocore event handler on every client of this session (tests, benches)."""
        with self._lock:
            if self._session is None:
                self._session = self._make_session()
            self._session.events.register(event, handler)

    def prefetch(self, service: str, operation: str, **kwargs: Any) -> None:
        """Start the call in a child process now, for the first `call` like it to take."""
        ahead = Prefetch(dataclasses.asdict(self.settings), service, operation, kwargs)
        self._ahead[ahead.key] = ahead

    async def call(self, service: str, operation: str, **kwargs: Any) -> Any:
        """Call `operation` (boto3's snake_case name) off the event loop; errors translated."""
        if self._ahead:
            ahead = self._ahead.pop(call_key(service, operation, kwargs), None)
            if ahead is not None:
                import asyncio

                start = time.perf_counter()
                # An answer already given is read at once: no hop to a thread and back,
                # which would let the first frame be painted without the rows.
                response = (
                    ahead.result() if ahead.answered() else await asyncio.to_thread(ahead.result)
                )
                if response is not None:
                    log.debug("%s:%s made ahead, %.0f ms", service, operation, _ms(start))
                    return response
                log.info("%s:%s made ahead gave nothing; calling now", service, operation)
        return await self.run(service, operation, lambda c: getattr(c, operation)(**kwargs))

    async def every_item(
        self,
        service: str,
        operation: str,
        key: str,
        *,
        pages: int | None = None,
        page_size: int | None = None,
        **kwargs: Any,
    ) -> list[Any]:
        """The `key` items of every page of `operation` (botocore's paginator, in one
        thread), at most `pages` pages; `page_size` items a page (None: the service's)."""

        def scan(client: Any) -> list[Any]:
            config = {"PageSize": page_size} if page_size else {}
            found: list[Any] = []
            paged = client.get_paginator(operation).paginate(**kwargs, PaginationConfig=config)
            for page in itertools.islice(paged, pages):
                found += page.get(key, [])
            return found

        return await self.run(service, operation, scan)

    async def run(self, service: str, operation: str, work: Callable[[Any], T]) -> T:
        """Run `work(client)` in a thread; botocore errors become `ServiceError`s."""
        action = f"{service}:{_camel(operation)}"

        def call() -> T:
            return work(self.client(service))

        import asyncio  # here: the prefetch child (`prefetch.py`) never runs a loop

        start = time.perf_counter()
        try:
            result = await asyncio.to_thread(call)
        except Exception as exc:  # every failure leaves here as a typed ServiceError
            error = translate(exc, action)
            log.info("%s failed after %.0f ms: %s", action, _ms(start), error)
            raise error from exc
        log.debug("%s %.0f ms", action, _ms(start))
        return result


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def parse_timestamp(value: Any) -> datetime:
    """botocore's timestamp parser, minus dateutil for the ISO 8601 times S3 and CloudWatch
    send: a 1000-key listing has 1000 of them, and dateutil took a third of its time."""
    if isinstance(value, str) and value[-1:] == "Z":
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    from botocore.utils import parse_timestamp as botocore_parse

    parsed: datetime = botocore_parse(value)
    return parsed


def _camel(operation: str) -> str:
    return "".join(part.capitalize() for part in operation.split("_"))


def child() -> int:
    """The prefetch child (`prefetch.py`): the request on stdin, the response on stdout,
    exit 1 on any failure (the app then makes the call itself and reports it)."""
    try:
        import botocore.session  # noqa: F401 (first: started early, the request may not be known yet)

        request = json.loads(sys.stdin.read())
        clients = AwsClients(AwsSettings(**request["settings"]))
        operation = request["operation"]
        client = clients.one_call_client(request["service"], operation)
        sys.stdout.write(to_json(getattr(client, operation)(**request["kwargs"])))
    except Exception:  # noqa: BLE001 (said by the app's own call)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(child())
