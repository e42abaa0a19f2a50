"""Secrets at rest and on screen: the stored config, URL passwords, secret-looking
environment names, a private home, and log-history files that do not outlive the app."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from smtui.cli import main
from smtui.core.config import resolve_config
from smtui.core.request import build_request
from smtui.core.secrets import MASK, env_looks_secret, redact_url
from smtui.core.stored import stored_config
from smtui.services.factory import BackendSettings, make_backend
from smtui.services.home import smtui_home
from smtui.services.loghistory import PREFIX, LogHistory
from tests.conftest import JOBBER_CONFIG, WriteConfig

SECRET_ENV = """\
  endpoint-url: https://me:hunter2@proxy.example:8443/
  profile: ml-dev
  environment:
    HF_TOKEN: hf_abcdefghijklmnop
    DB_PASSWORD: pw123
    CACHE_KEY_PREFIX: plain-value
    DATA_URL: https://svc:s3cr3t@data.example/x
    KEY_ID_IN_VALUE: AKIAABCDEFGHIJKLMNOP
    HF_HOME: /tmp/hf
"""


def test_the_stored_config_keeps_nothing_of_the_submitter(write_config: WriteConfig) -> None:
    spec = resolve_config(write_config(JOBBER_CONFIG + SECRET_ENV))
    text = stored_config(spec, "job-1", "img:latest", build_request(spec, "job-1", "img:latest"))
    for secret in ("hunter2", "ml-dev", "hf_abcdef", "pw123", "s3cr3t", "AKIAABCDEFGH"):
        assert secret not in text, secret
    submit = yaml.safe_load(text)["submit"]
    assert "endpoint-url" not in submit and "profile" not in submit
    assert submit["environment"] == {
        "HF_TOKEN": MASK,
        "DB_PASSWORD": MASK,
        "CACHE_KEY_PREFIX": "plain-value",
        "DATA_URL": "https://svc:***@data.example/x",
        "KEY_ID_IN_VALUE": MASK,
        "HF_HOME": "/tmp/hf",
    }


def test_secret_environment_names_are_warned_about(write_config: WriteConfig) -> None:
    spec = resolve_config(write_config(JOBBER_CONFIG + SECRET_ENV))
    warned = {w.split("'")[1] for w in spec.warnings if w.startswith("environment variable")}
    assert warned == {"HF_TOKEN", "DB_PASSWORD"}


@pytest.mark.parametrize(
    ("name", "secret"),
    [("API_KEY", True), ("WANDB_API_KEY", True), ("aws.secret.key", True), ("cache.key", False),
     ("HF_HOME", False), ("GITHUB_TOKEN", True), ("KEYBOARD", False)],
)  # fmt: skip
def test_which_environment_names_look_secret(name: str, secret: bool) -> None:
    assert env_looks_secret(name) is secret


def test_url_passwords_are_redacted_in_any_text() -> None:
    assert redact_url("https://me:hunter2@proxy:8443/x") == "https://me:***@proxy:8443/x"
    message = 'Could not connect to "http://a:b@127.0.0.1:1/" and s3://bucket/key@1'
    assert redact_url(message) == 'Could not connect to "http://a:***@127.0.0.1:1/" and ' \
        "s3://bucket/key@1"  # fmt: skip
    assert redact_url("http://host/no-password") == "http://host/no-password"


def test_the_header_and_errors_never_show_the_endpoint_password(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "http://me:hunter2@127.0.0.1:9/"
    backend = make_backend(BackendSettings("aws", None, "us-east-1", url))
    assert "hunter2" not in backend.where and "me:***@127.0.0.1" in backend.where
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    code = main(["jobs", "--backend", "aws", "--region", "us-east-1", "--endpoint-url", url])
    err = capsys.readouterr().err
    assert code == 1 and "hunter2" not in err and "cannot reach the endpoint" in err, err


def test_the_dry_run_shows_no_secret(
    write_config: WriteConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config(JOBBER_CONFIG + SECRET_ENV)
    assert main(["submit", "--dry-run", "--config", str(path)]) == 0
    err = capsys.readouterr().err
    assert "hunter2" not in err and "pw123" not in err and "hf_abcdef" not in err


def test_the_home_is_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "new-home"
    monkeypatch.setenv("SMTUI_HOME", str(home))
    assert stat.S_IMODE(smtui_home().stat().st_mode) == 0o700
    home.chmod(0o755)  # made by an older smtui
    smtui_home()
    assert stat.S_IMODE(home.stat().st_mode) == 0o700


HOLD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from smtui.services.loghistory import LogHistory
    history = LogHistory(Path(sys.argv[1]))
    print(history.path, flush=True)
    time.sleep(60)
    """
)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_history_files_go_when_the_app_is_told_to_stop(tmp_path: Path, signum: int) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    path = Path(proc.stdout.readline().strip())
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    proc.send_signal(signum)
    assert proc.wait(timeout=30) == -signum  # it still dies of the signal
    assert not path.exists()


def test_history_left_by_a_killed_app_is_swept_at_start_up(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    left = Path(proc.stdout.readline().strip())
    proc.kill()  # SIGKILL: no handler runs
    proc.wait(timeout=30)
    assert left.exists()
    alive = tmp_path / f"{PREFIX}{os.getppid()}-x.tsv"  # a live process's file stays
    alive.write_text("")
    history = LogHistory(tmp_path)
    assert not left.exists() and alive.exists()
    history.close()


def test_a_lone_surrogate_does_not_stop_the_history(tmp_path: Path) -> None:
    from smtui.core.logevents import LogEvent

    history = LogHistory(tmp_path)
    try:
        history.append([LogEvent(1, "bad \udc80 line", "j/algo-1-1"), LogEvent(2, "ok", "j/a")])
        assert [e.message for e in history.events()] == ["bad \udc80 line", "ok"]
        saved = tmp_path / "saved.log"
        assert history.save(saved, hosts=False, timestamps=False) == 2
        assert saved.read_text() == "bad \ufffd line\nok\n"  # as the sanitiser shows it
    finally:
        history.close()
