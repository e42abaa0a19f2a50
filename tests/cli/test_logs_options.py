"""`smtui logs` as `aws logs tail` users expect it, against moto: one host, the last N
lines, absolute and combined `--since`, JSON events shaped by botocore's model,
`--filter-pattern` sent to CloudWatch (and applied locally as moto applies it), and
`@latest` in every command that takes a job."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import time
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smtui.cli import logs as logs_module
from smtui.cli import main
from smtui.core.filterpattern import parse
from smtui.services.home import smtui_home
from smtui.services.local import local_backend
from tests.awsfakes import GROUP, create_job, put_events
from tests.services.localjob import submit, wait_until, write_project

NOW = int(time.time() * 1000)
HOUR = 3_600_000


def lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().out.splitlines()


@pytest.fixture
def two_hosts(moto_aws: None) -> str:
    create_job("two", hosts=2, status="Completed")
    put_events("two/algo-1-1", [(NOW - 3 * HOUR, "a old"), (NOW - 2 * HOUR, "a ERROR disk"),
                                (NOW, "a done")])  # fmt: skip
    put_events("two/algo-2-1", [(NOW - 3 * HOUR + 1, "b old"), (NOW - HOUR, "b WARN slow"),
                                (NOW + 1, "b ERROR done")])  # fmt: skip
    return "two"


def test_one_host_at_a_time(two_hosts: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["logs", two_hosts, "--host", "algo-2"]) == 0
    assert lines(capsys) == ["b old", "b WARN slow", "b ERROR done"]  # one host: no prefix
    assert main(["logs", two_hosts, "--host", "algo-3"]) == 2
    assert "--host algo-3: two has 2 host(s): algo-1 … algo-2" in capsys.readouterr().err
    assert main(["logs", two_hosts, "--host", "worker"]) == 2


def test_the_last_n_lines_by_each_stream_s_end_or_by_the_whole_history(
    two_hosts: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["logs", two_hosts, "--tail", "3"]) == 0
    last_three = ["[algo-2] b WARN slow", "[algo-1] a done", "[algo-2] b ERROR done"]
    assert lines(capsys) == last_three
    assert main(["logs", two_hosts, "--tail", "2", "--host", "algo-1"]) == 0
    assert lines(capsys) == ["a ERROR disk", "a done"]
    assert main(["logs", two_hosts, "--tail", "2", "--filter", "ERROR"]) == 0
    assert lines(capsys) == ["[algo-1] a ERROR disk", "[algo-2] b ERROR done"]
    assert main(["logs", two_hosts, "--tail", "0"]) == 0
    assert lines(capsys) == []
    monkeypatch.setattr(logs_module, "LAST_PAGE", 2)  # more than a page: the whole history
    assert main(["logs", two_hosts, "--tail", "3"]) == 0
    assert lines(capsys) == last_three
    assert main(["logs", two_hosts, "--tail", "-1"]) == 2


def test_the_last_lines_then_follow_repeats_none(
    moto_aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    create_job("same-ms", hosts=1, status="Completed")
    put_events("same-ms/algo-1-1", [(NOW, "x"), (NOW, "y"), (NOW, "z"), (NOW + 5, "w")])
    assert main(["logs", "same-ms", "--tail", "2", "--follow"]) == 0
    assert lines(capsys) == ["z", "w"]  # and nothing again from the follow


def test_since_takes_combined_spans_and_absolute_times(
    two_hosts: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["logs", two_hosts, "--since", "2h30m"]) == 0
    recent = ["[algo-1] a ERROR disk", "[algo-2] b WARN slow", "[algo-1] a done",
              "[algo-2] b ERROR done"]  # fmt: skip
    assert lines(capsys) == recent
    moment = dt.datetime.fromtimestamp((NOW - 2.5 * HOUR) / 1000, dt.UTC)
    assert main(["logs", two_hosts, "--since", moment.isoformat()]) == 0
    assert lines(capsys) == recent
    assert main(["logs", two_hosts, "--since", moment.strftime("%Y-%m-%dT%H:%M:%SZ")]) == 0
    assert lines(capsys) == recent


def test_json_is_one_event_a_line_shaped_like_filter_log_events(
    two_hosts: str, capsys: pytest.CaptureFixture[str]
) -> None:
    put_events("two/algo-1-1", [(NOW + 9, "esc \x1b[31m red")])
    assert main(["logs", two_hosts, "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out  # JSON escapes it
    events = [json.loads(line) for line in out.splitlines()]
    model = botocore.session.get_session().get_service_model("logs")
    member = model.shape_for("FilteredLogEvent").members
    assert all(set(event) <= set(member) for event in events)
    assert [e["message"] for e in events][-1] == "esc \x1b[31m red"
    first = {"logStreamName": "two/algo-1-1", "timestamp": NOW - 3 * HOUR, "message": "a old"}
    assert events[0] == {**first, "ingestionTime": events[0]["ingestionTime"]}
    assert [e["timestamp"] for e in events] == sorted(e["timestamp"] for e in events)


def record_requests(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    from botocore.client import BaseClient

    sent: list[tuple[str, dict[str, Any]]] = []
    send = BaseClient._make_api_call

    def recorded(self: Any, operation: str, params: dict[str, Any]) -> Any:
        sent.append((operation, dict(params)))
        return send(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recorded)
    return sent


def test_filter_pattern_is_sent_to_cloudwatch(
    two_hosts: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sent = record_requests(monkeypatch)
    assert main(["logs", two_hosts, "--filter-pattern", "ERROR"]) == 0
    assert lines(capsys) == ["[algo-1] a ERROR disk", "[algo-2] b ERROR done"]
    searches = [params for op, params in sent if op == "FilterLogEvents"]
    assert searches and all(p["filterPattern"] == "ERROR" for p in searches)
    assert searches[0]["logStreamNames"] == ["two/algo-1-1", "two/algo-2-1"]
    assert not [op for op, _ in sent if op == "GetLogEvents"]  # every line would come back
    sent.clear()
    assert main(["logs", two_hosts, "--filter-pattern", "ERROR", "--host", "algo-2",
                 "--follow"]) == 0  # fmt: skip
    assert lines(capsys) == ["b ERROR done"]
    searches = [params for op, params in sent if op == "FilterLogEvents"]
    assert {tuple(p["logStreamNames"]) for p in searches} == {("two/algo-2-1",)}


STREAMS = itertools.count()
WORDS = st.text("abcXYZ_09", min_size=1, max_size=3).filter(lambda w: w[0].isalpha())


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    messages=st.lists(st.text('abcXYZ_09 "-?', min_size=0, max_size=12), min_size=1, max_size=8),
    terms=st.lists(WORDS, min_size=1, max_size=3),
    quoted=st.booleans(),
)
def test_the_local_matcher_agrees_with_moto_s_filter_log_events(
    moto_aws: None, messages: list[str], terms: list[str], quoted: bool
) -> None:
    """The forms moto implements (terms, one quoted phrase), through its FilterLogEvents."""
    logs = boto3.client("logs", region_name="us-east-1")
    stream = f"job-{next(STREAMS)}/algo-1-1"
    try:
        logs.create_log_group(logGroupName=GROUP)
    except logs.exceptions.ResourceAlreadyExistsException:
        pass
    logs.create_log_stream(logGroupName=GROUP, logStreamName=stream)
    logs.put_log_events(logGroupName=GROUP, logStreamName=stream,
                        logEvents=[{"timestamp": NOW + i, "message": m or " "}
                                   for i, m in enumerate(messages)])  # fmt: skip
    pattern = f'"{" ".join(terms)}"' if quoted else " ".join(terms)
    found = logs.filter_log_events(logGroupName=GROUP, logStreamNames=[stream],
                                   filterPattern=pattern)["events"]  # fmt: skip
    ours = parse(pattern)
    assert [e["message"] for e in found] == [m or " " for m in messages if ours.matches(m or " ")]


def test_the_matcher_s_other_forms() -> None:
    assert parse("-DEBUG").matches("INFO x") and not parse("-DEBUG").matches("DEBUG x")
    either = parse("?ERROR ?WARN")
    assert either.matches("a WARN") and either.matches("ERROR") and not either.matches("INFO")
    assert parse('"disk full" -retry').matches("the disk full now")
    assert not parse('"disk full" -retry').matches("disk full, retry")
    assert parse(r"%\d+ ms%").matches("took 12 ms") and not parse(r"%\d+ ms%").matches("ms")
    assert parse("").matches("anything")
    for bad in ('{ $.level = "error" }', "[ip, user]", '"open', "%(%"):
        with pytest.raises(ValueError):
            parse(bad)


async def test_filter_pattern_on_the_local_backend(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = "for i in range(6):\n    print(('ERROR ' if i % 2 else 'ok ') + str(i))\n"
    write_project(project, script, count=2)
    backend = local_backend(smtui_home())
    job = await submit(backend, project)
    await wait_until(backend, job, "Completed")
    ran = await asyncio.to_thread(main, ["logs", job, "--backend", "local",
                                         "--filter-pattern", "ERROR -5"])  # fmt: skip
    assert ran == 0
    shown = lines(capsys)  # the hosts' lines in time order: algo-1's and algo-2's interleave
    assert sorted(shown) == ["[algo-1] ERROR 1", "[algo-1] ERROR 3", "[algo-2] ERROR 1",
                             "[algo-2] ERROR 3"]  # fmt: skip
    assert [line for line in shown if "algo-1" in line] == ["[algo-1] ERROR 1", "[algo-1] ERROR 3"]
    ran = await asyncio.to_thread(main, ["logs", job, "--backend", "local",
                                         "--filter-pattern", "{ $.x = 1 }"])  # fmt: skip
    assert ran == 2
    assert "are applied by CloudWatch only" in capsys.readouterr().err


def test_latest_is_the_newest_job_of_the_config(
    moto_aws: None, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = ["--config", str(project)]
    assert main(["logs", "@latest", *config]) == 2
    assert "@latest: no job named custom-run-<time>" in capsys.readouterr().err
    assert main(["submit", *config]) == 0
    first = capsys.readouterr().out.strip()
    time.sleep(0.01)
    assert main(["submit", *config]) == 0
    second = capsys.readouterr().out.strip()
    create_job("custom-run-other-20991231-000000-000")  # another base that starts alike
    for command in (["describe", "@latest", "--json"], ["logs", "@latest"]):
        assert main([*command, *config]) == 0, command
        out = capsys.readouterr().out
        if command[0] == "describe":
            assert json.loads(out)["TrainingJobName"] == second != first
    assert main(["resubmit", "@latest", "--dry-run", *config]) == 0
    assert json.loads(capsys.readouterr().out)["TrainingJobName"].startswith("custom-run-")
    Path(project).rename(project.parent / "elsewhere.yml")
    assert main(["describe", "@latest"]) == 2
    assert "does not exist" in capsys.readouterr().err
