"""Service errors as users read them, made from what botocore really raises."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest

from smtui.services.errors import ServiceError, readable
from smtui.services.factory import BackendSettings, make_backend

PAGE = b"""<!DOCTYPE html>
<html><head><title>502 Bad Gateway</title><style>body { color: red }</style></head>
<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>
"""


class BrokenProxy(http.server.BaseHTTPRequestHandler):
    """Answers every request as a misconfigured proxy does: HTTP 500 and an HTML page."""

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(500)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), BrokenProxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


async def test_an_html_error_page_is_named_by_its_title(proxy: str) -> None:
    backend = make_backend(BackendSettings("aws", region="us-east-1", endpoint_url=proxy))
    with pytest.raises(ServiceError) as raised:
        await backend.jobs.list_jobs()
    message = str(raised.value)
    assert "502 Bad Gateway" in message and "HTTP 500" in message
    assert "<" not in message and "color: red" not in message and "\n" not in message


def test_a_long_message_is_cut_and_plain_ones_kept() -> None:
    assert readable("Could not find job x", 400) == "Could not find job x"
    assert len(readable("x" * 5000, 400)) == 300
