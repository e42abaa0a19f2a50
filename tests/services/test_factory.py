"""Building backends: retry settings from the environment reach botocore."""

from __future__ import annotations

import socket
from typing import Any, cast

import pytest

from smtui.core.errors import UsageError
from smtui.services.aws.storage import AwsStorage
from smtui.services.errors import EndpointUnreachable
from smtui.services.factory import BackendSettings, make_backend


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("attempts", [None, "2"])
async def test_tries_per_call_are_four_or_aws_max_attempts(
    monkeypatch: pytest.MonkeyPatch, attempts: str | None
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_RETRY_MODE", "standard")
    if attempts:
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", attempts)
    monkeypatch.setattr(
        "botocore.retries.standard.ExponentialBackoff.delay_amount", lambda self, ctx: 0.01
    )
    url = f"http://127.0.0.1:{closed_port()}"
    backend = make_backend(BackendSettings("aws", region="us-east-1", endpoint_url=url))
    tries: list[str] = []

    def count(request: Any, **kwargs: Any) -> None:
        tries.append(request.url)

    cast(AwsStorage, backend.storage).clients.client("s3").meta.events.register(
        "before-send", count
    )
    with pytest.raises(EndpointUnreachable, match="cannot reach"):
        await backend.storage.list_prefix("s3://bucket/data/")
    assert len(tries) == int(attempts or 4)


@pytest.mark.parametrize(
    ("var", "value"),
    [("AWS_MAX_ATTEMPTS", "zero"), ("AWS_MAX_ATTEMPTS", "0"), ("AWS_RETRY_MODE", "fast")],
)
def test_bad_retry_settings_are_named(
    monkeypatch: pytest.MonkeyPatch, var: str, value: str
) -> None:
    monkeypatch.setenv(var, value)
    with pytest.raises(UsageError, match=f"{var}: '{value}'"):
        make_backend(BackendSettings("aws", region="us-east-1"))
