"""Issue 17 item 13: a host that writes back-dated lines into its own stream.

CloudWatch keeps a stream in timestamp order (FilterLogEvents' documentation: "sorted by
event timestamp, the timestamp when the event was ingested ..., and the ID of the
PutLogEvents request"; event ids lead with the timestamp) and a forward token is a position
in that order. So a line ingested after a reader passed its timestamp sits behind the
reader's token: a forward reader never repeats a line, and never sees that one (the SDK's
`logs_for_job`, which restarts from the last timestamp, and `aws logs tail`, which restarts
from the newest, do not either). moto differs: its forward token is an index into the sorted
list, so each back-dated insertion shifts the list under the token: the next page repeats
the line before the token and the back-dated line is never read. These tests pin moto's
behaviour (so a moto upgrade that changes it is noticed) and what smtui guarantees on both:
a finished job read afresh has every line once, in time order.
"""

from __future__ import annotations

import time

import boto3

from smtui.services.backend import Backend
from smtui.services.logtail import LogTailer
from tests.awsfakes import GROUP, REGION, create_job, put_events

STREAM = "late/algo-1-1"
NOW = int(time.time() * 1000) - 60_000  # CloudWatch (and moto) drop events over 14 days old


def _read(logs: object, token: str | None) -> tuple[list[str], str]:
    kwargs = {"nextToken": token} if token else {}
    page = logs.get_log_events(  # type: ignore[attr-defined]
        logGroupName=GROUP, logStreamName=STREAM, startFromHead=True, **kwargs
    )
    return [e["message"] for e in page["events"]], page["nextForwardToken"]


def test_moto_forward_tokens_are_indices_that_a_backdated_line_shifts(moto_aws: None) -> None:
    logs = boto3.client("logs", region_name=REGION)
    put_events(STREAM, [(NOW + 1000, "a"), (NOW + 2000, "b"), (NOW + 3000, "c")])
    first, token = _read(logs, None)
    assert first == ["a", "b", "c"]
    put_events(STREAM, [(NOW + 1500, "late")])  # back-dated, behind the reader's position
    again, token = _read(logs, token)
    # moto: the index now points one line earlier, so "c" comes again and "late" never
    # does. CloudWatch's positional token would give [] here (no repeat, "late" behind it).
    assert again == ["c"]
    assert _read(logs, token)[0] == []


async def test_a_finished_job_read_afresh_has_every_line_once_in_time_order(
    aws_backend: Backend,
) -> None:
    create_job("late", status="Completed")
    put_events(STREAM, [(NOW + 1000, "a"), (NOW + 2000, "b"), (NOW + 3000, "c")])
    put_events(STREAM, [(NOW + 1500, "late 1"), (NOW + 2500, "late 2")])
    lines = [
        event.message
        async for batch in LogTailer(aws_backend.logs, "late", follow=False).batches()
        for event in batch.events
    ]
    assert lines == ["a", "late 1", "b", "late 2", "c"]
