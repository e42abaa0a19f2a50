"""Jobs on SageMaker: list, describe and stop training, tuning and processing jobs;
create training jobs; a tuning job's training jobs."""

from __future__ import annotations

from typing import Any

from smtui.core.jobs import JobSummary, TrainingJob, Trial
from smtui.core.kinds import TRAINING, Kind
from smtui.services.aws.clients import AwsClients
from smtui.services.backend import JobPage

PAGE = 100
"""The largest page of ListTrainingJobs (and of the other kinds' lists)."""
MAX_PAGES = 50
"""Stop scanning after this many pages for one call (a filter that matches nothing)."""


class AwsJobs:
    """`JobsService` over the SageMaker API."""

    def __init__(self, clients: AwsClients) -> None:
        self.clients = clients
        self.server_sorts: dict[str, bool] = {}
        """Whether the server honours SortBy, by kind (SageMaker does; moto does not): learnt
        from the first page, so a server that doesn't costs no wasted first call on later
        lists."""

    def prefetch(self) -> None:
        """The first page of the unfiltered list, made ahead while the app starts."""
        self.clients.prefetch("sagemaker", "list_training_jobs", **_page_kwargs(None, None, None))

    def why_not(self, kind: Kind) -> str | None:
        """SageMaker runs every kind."""
        return None

    async def _page(
        self, kind: Kind, status: str | None, name_contains: str | None, token: str | None
    ) -> tuple[list[JobSummary], list[JobSummary], str | None]:
        """One server page: (all rows in server order, rows matching the filters, next token)."""
        kwargs = _page_kwargs(status, name_contains, token)
        page = await self.clients.call("sagemaker", kind.operation("list"), **kwargs)
        rows = [JobSummary.from_api(item, kind) for item in page.get(kind.summaries_key, [])]
        matching = [
            job
            for job in rows
            if (not status or job.status == status)
            and (not name_contains or name_contains.lower() in job.name.lower())
        ]
        return rows, matching, page.get("NextToken")

    async def list_jobs(
        self,
        status: str | None = None,
        name_contains: str | None = None,
        limit: int = 50,
        next_token: str | None = None,
        kind: Kind = TRAINING,
    ) -> JobPage:
        # Do not trust the server: some filter after cutting a page (fewer rows than asked,
        # with a NextToken), and some ignore SortBy. Pages are read whole; a page that is not
        # newest-first means the server does not sort, and then every page is read and sorted
        # here. Our token is the server's token plus how far into that page we got.
        if next_token and next_token.startswith("*"):
            return await self._sorted_page(kind, status, name_contains, limit, int(next_token[1:]))
        if self.server_sorts.get(kind.key) is False and not next_token:
            return await self._sorted_page(kind, status, name_contains, limit, 0)
        token, skip = _split(next_token)
        found: list[JobSummary] = []
        resume: str | None = None
        for _ in range(MAX_PAGES):
            rows, matching, after = await self._page(kind, status, name_contains, token)
            if any(a.created < b.created for a, b in zip(rows, rows[1:], strict=False)):
                self.server_sorts[kind.key] = False
                first = (matching, after) if token is None else None
                return await self._sorted_page(kind, status, name_contains, limit, 0, first)
            if len(rows) > 1:
                self.server_sorts[kind.key] = True
            matching = matching[skip:]
            room = limit - len(found)
            if len(matching) > room:
                found += matching[:room]
                resume = _join(token, skip + room)
                break
            found += matching
            skip, token, resume = 0, after, after
            if not token or len(found) >= limit:
                break
        found.sort(key=lambda job: job.created, reverse=True)
        return JobPage(found, resume)

    async def _sorted_page(
        self,
        kind: Kind,
        status: str | None,
        name_contains: str | None,
        limit: int,
        start: int,
        first: tuple[list[JobSummary], str | None] | None = None,
    ) -> JobPage:
        """For servers that do not sort: read every page, sort here, page by offset (`*N`).
        `first`: the first page already read (matching rows, next token), not read again."""
        everything: list[JobSummary] = list(first[0]) if first else []
        token = first[1] if first else None
        more = first is None or token is not None
        for _ in range(MAX_PAGES):
            if not more:
                break
            _rows, matching, token = await self._page(kind, status, name_contains, token)
            everything += matching
            more = token is not None
        everything.sort(key=lambda job: job.created, reverse=True)
        end = start + limit
        return JobPage(everything[start:end], f"*{end}" if end < len(everything) else None)

    async def describe_job(self, name: str, kind: Kind = TRAINING) -> TrainingJob:
        raw = await self.clients.call(
            "sagemaker", kind.operation("describe"), **{kind.name_key: name}
        )
        raw.pop("ResponseMetadata", None)
        return TrainingJob.from_api(raw, kind)

    async def trials(self, tuning_job: str) -> list[Trial]:
        found = await self.clients.every_item(
            "sagemaker", "list_training_jobs_for_hyper_parameter_tuning_job",
            "TrainingJobSummaries", pages=MAX_PAGES, page_size=PAGE,
            HyperParameterTuningJobName=tuning_job,
        )  # fmt: skip
        return [Trial.from_api(item) for item in found]

    async def tags(self, job: TrainingJob) -> dict[str, str]:
        found = await self.clients.every_item("sagemaker", "list_tags", "Tags", page_size=100,
                                              ResourceArn=job.arn)  # fmt: skip
        return {tag["Key"]: tag.get("Value", "") for tag in found}

    async def check_request(self, request: dict[str, Any]) -> None:
        """Nothing to add: the request was checked against botocore's model of the API, and
        what only SageMaker can judge, it judges in CreateTrainingJob."""

    async def create_job(self, request: dict[str, Any]) -> str:
        response = await self.clients.call("sagemaker", "create_training_job", **request)
        arn: str = response["TrainingJobArn"]
        return arn

    async def stop_job(self, name: str, kind: Kind = TRAINING) -> None:
        await self.clients.call("sagemaker", kind.operation("stop"), **{kind.name_key: name})

    async def keep_warm_pool(self, name: str, seconds: int) -> None:
        await self.clients.call("sagemaker", "update_training_job", TrainingJobName=name,
                                ResourceConfig={"KeepAlivePeriodInSeconds": seconds})  # fmt: skip

    async def enable_remote_debug(self, name: str) -> None:
        await self.clients.call("sagemaker", "update_training_job", TrainingJobName=name,
                                RemoteDebugConfig={"EnableRemoteDebug": True})  # fmt: skip


def _split(token: str | None) -> tuple[str | None, int]:
    """Our page token: the server's token, '#', rows of that page already returned."""
    if not token:
        return None, 0
    server, _, skip = token.rpartition("#")
    if not skip.isdigit():
        return token, 0
    return server or None, int(skip)


def _join(token: str | None, skip: int) -> str:
    return f"{token or ''}#{skip}"


def _page_kwargs(
    status: str | None, name_contains: str | None, token: str | None
) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "MaxResults": PAGE,
        "SortBy": "CreationTime",
        "SortOrder": "Descending",
    }
    if status:
        kwargs["StatusEquals"] = status
    if name_contains:
        kwargs["NameContains"] = name_contains
    if token:
        kwargs["NextToken"] = token
    return kwargs
