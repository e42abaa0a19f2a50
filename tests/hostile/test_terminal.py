"""Escape sequences in others' text never reach the terminal: `smtui logs` in a real pty,
and every other CLI printer in process."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest

from smtui.cli import main
from tests.awsfakes import MotoEndpoint, create_job, put_events

NOW = int(time.time() * 1000)
HOSTILE_LINES = [
    "clipboard \x1b]52;c;cm0gLXJmIH4K\x07 set",  # OSC 52: sets the terminal's clipboard
    "title \x1b]0;pwned\x07 renamed",  # OSC 0 ended by BEL: renames the window
    "screen \x1b[?1049h switched",  # the alternate screen
    "c1 \x9b2J csi",  # a C1 CSI, which some terminals obey as ESC [
    "surrogate \udc80 here",  # a lone surrogate, which cannot be encoded
    "last line",
]
UNSAFE = re.compile(rb"[\x1b\x07\x9b]|\xc2[\x80-\x9f]")
"""ESC, BEL, and C1 controls either as a raw byte or UTF-8 encoded."""


def _run_in_pty(argv: list[str], timeout: float = 60) -> tuple[int, bytes]:
    """Run `smtui argv` with a pseudo-terminal as stdout and stderr; return (exit, bytes)."""
    master, slave = os.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "smtui", *argv],
            stdin=subprocess.DEVNULL,
            stdout=slave,
            stderr=slave,
            close_fds=True,
        )
    finally:
        os.close(slave)
    chunks = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return proc.wait(timeout=timeout), b"".join(chunks)


@pytest.fixture
def hostile_job(moto_server: MotoEndpoint) -> str:
    create_job("hostile", status="Completed")
    put_events("hostile/algo-1-1", [(NOW + i, line) for i, line in enumerate(HOSTILE_LINES)])
    return "hostile"


def test_logs_in_a_pty_show_escapes_without_obeying_them(hostile_job: str) -> None:
    code, out = _run_in_pty(["logs", hostile_job, "--backend", "aws"])
    assert code == 0, out
    assert UNSAFE.search(out) is None, out
    text = out.decode()
    assert "clipboard ^[]52;c;cm0gLXJmIH4K^G set" in text
    assert "title ^[]0;pwned^G renamed" in text
    assert "screen ^[[?1049h switched" in text
    assert "c1 <9b>2J csi" in text
    assert "surrogate \ufffd here" in text
    assert "last line" in text  # nothing after the OSC strings was swallowed


def test_logs_raw_opts_out_explicitly(hostile_job: str) -> None:
    code, out = _run_in_pty(["logs", hostile_job, "--backend", "aws", "--raw"])
    assert code == 0, out
    assert b"\x1b]52;c;cm0gLXJmIH4K\x07" in out
    assert "surrogate \ufffd here" in out.decode()  # still encodable: the command went on


def test_describe_failure_reason_and_tags_are_cleaned(
    moto_aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    create_job("bad", status="Failed", HyperParameters={"lr": "\x1b]0;hp\x07", "x\x1b[2J": "1"})
    from tests.awsfakes import sagemaker_backend

    sagemaker_backend().training_jobs["bad"].failure_reason = "boom\n\x1b]52;c;eA==\x07 \x9b"
    assert main(["describe", "bad"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    assert "failure reason: boom\n^[]52;c;eA==^G <9b>" in out
    assert "x^[[2J" in out and "^[]0;hp^G" in out


def test_json_outputs_escape_every_control(
    moto_aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    create_job("bad", status="Completed", HyperParameters={"lr": "\x1b]0;t\x07\x9b\udc80"})
    assert main(["describe", "bad", "--json"]) == 0
    out = capsys.readouterr().out
    assert re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]", out) is None
    assert json.loads(out)["HyperParameters"]["lr"] == "\x1b]0;t\x07\x9b\udc80"


def test_ls_and_sync_plan_show_hostile_keys_safely(
    moto_aws: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="bkt")
    s3.put_object(Bucket="bkt", Key="p/\x1b]0;key\x07.bin", Body=b"x")
    assert main(["ls", "s3://bkt/p/", "--backend", "aws"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "^[]0;key^G.bin" in out
    src = tmp_path / "src"
    src.mkdir()
    (src / "name\x1b[?1049h.txt").write_text("x")
    assert main(["sync-data", "--src", str(src), "--dest", "s3://bkt/p/", "--dry-run",
                 "--delete", "--backend", "aws"]) == 0  # fmt: skip
    captured = capsys.readouterr()
    both = captured.out + captured.err
    assert "\x1b" not in both and "\x07" not in both
    assert "upload (new) name^[[?1049h.txt" in captured.out
    assert "delete p/^[]0;key^G.bin" in captured.out


def test_error_messages_carrying_others_text_are_cleaned(
    moto_aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["describe", "no\x1b]0;x\x07such", "--backend", "aws"]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err
    assert "^[]0;x^G" in err
