"""CloudWatch Logs as a `LogSource` for the tailer: a kind's log group (training jobs',
or processing jobs')."""

from __future__ import annotations

from typing import Any

from smtui.core.kinds import TRAINING, Kind
from smtui.core.logevents import LogEvent
from smtui.services.aws.clients import AwsClients
from smtui.services.backend import EventPage
from smtui.services.errors import NotFound

GROUP = "/aws/sagemaker/TrainingJobs"
SEARCH_STREAMS = 100
"""FilterLogEvents takes at most 100 stream names; bigger jobs are read stream by stream."""


class AwsLogSource:
    """Reads `<job>/algo-N-...` streams with GetLogEvents and FilterLogEvents."""

    cheap = False

    def __init__(
        self,
        clients: AwsClients,
        group: str | None = None,
        page_size: int | None = None,
        kind: Kind = TRAINING,
    ) -> None:
        self.clients = clients
        self.kind = kind
        self.group = group or kind.log_group or GROUP
        self.page_size = page_size
        """Events per page (None: the service's own limit, 10,000 or 1 MB)."""

    async def streams(self, job: str) -> list[str]:
        try:
            found = await self.clients.every_item("logs", "describe_log_streams", "logStreams",
                                                  logGroupName=self.group,
                                                  logStreamNamePrefix=f"{job}/")  # fmt: skip
        except NotFound:
            return []  # no job in this account/region has logged yet
        names = (stream["logStreamName"] for stream in found)
        # A prefix match on `job/` cannot catch `job-2/`, but check anyway: never mix jobs.
        return sorted(name for name in names if name.startswith(f"{job}/"))

    async def read(self, stream: str, token: str | None, start_ms: int | None) -> EventPage:
        kwargs: dict[str, Any] = {
            "logGroupName": self.group,
            "logStreamName": stream,
            "startFromHead": True,
        }
        if token is not None:
            kwargs["nextToken"] = token
        if start_ms is not None:
            kwargs["startTime"] = start_ms
        if self.page_size:
            kwargs["limit"] = self.page_size
        page = await self.clients.call("logs", "get_log_events", **kwargs)
        events = [
            LogEvent(e["timestamp"], e["message"], stream, e.get("ingestionTime", 0))
            for e in page.get("events", [])
        ]
        return EventPage(events, page.get("nextForwardToken"))

    async def last(self, stream: str, limit: int) -> list[LogEvent]:
        page = await self.clients.call(
            "logs",
            "get_log_events",
            logGroupName=self.group,
            logStreamName=stream,
            startFromHead=False,
            limit=min(limit, 10_000),
        )
        return [
            LogEvent(e["timestamp"], e["message"], stream, e.get("ingestionTime", 0))
            for e in page.get("events", [])
        ]

    async def search(
        self, streams: list[str], start_ms: int, token: str | None, pattern: str | None = None
    ) -> EventPage | None:
        if len(streams) > SEARCH_STREAMS:
            return None
        kwargs: dict[str, Any] = {
            "logGroupName": self.group,
            "logStreamNames": streams,
            "startTime": start_ms,
        }
        if pattern:
            kwargs["filterPattern"] = pattern
        if token is not None:
            kwargs["nextToken"] = token
        if self.page_size:
            kwargs["limit"] = self.page_size
        page = await self.clients.call("logs", "filter_log_events", **kwargs)
        events = [
            LogEvent(
                e["timestamp"],
                e["message"],
                e["logStreamName"],
                e.get("ingestionTime", 0),
                e.get("eventId"),
            )
            for e in page.get("events", [])
        ]
        return EventPage(events, page.get("nextToken"))

    async def job_status(self, job: str) -> str:
        kind = self.kind
        response = await self.clients.call(
            "sagemaker", kind.operation("describe"), **{kind.name_key: job}
        )
        status: str = response[kind.status_key]
        return status
