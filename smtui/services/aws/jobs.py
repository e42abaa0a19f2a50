"""Training jobs on SageMaker: list, describe, create, stop."""

from __future__ import annotations

from typing import Any

from smtui.core.jobs import JobSummary, TrainingJob
from smtui.services.aws.clients import AwsClients
from smtui.services.backend import JobPage

PAGE = 100
"""ListTrainingJobs' largest page."""
MAX_PAGES = 50
"""Stop scanning after this many pages for one call (a filter that matches nothing)."""


class AwsJobs:
    """`JobsService` over the SageMaker API."""

    def __init__(self, clients: AwsClients) -> None:
        self.clients = clients

    async def list_jobs(
        self,
        status: str | None = None,
        name_contains: str | None = None,
        limit: int = 50,
        next_token: str | None = None,
    ) -> JobPage:
        # Servers may filter after cutting a page (fewer rows than asked, with a NextToken)
        # and may not honour SortBy, so keep paging until `limit` rows match and sort here.
        found: list[JobSummary] = []
        token = next_token
        for _ in range(MAX_PAGES):
            kwargs: dict[str, Any] = {
                "MaxResults": max(1, min(PAGE, limit - len(found))),
                "SortBy": "CreationTime",
                "SortOrder": "Descending",
            }
            if status:
                kwargs["StatusEquals"] = status
            if name_contains:
                kwargs["NameContains"] = name_contains
            if token:
                kwargs["NextToken"] = token
            page = await self.clients.call("sagemaker", "list_training_jobs", **kwargs)
            found += [
                JobSummary.from_api(item)
                for item in page.get("TrainingJobSummaries", [])
                if (not status or item["TrainingJobStatus"] == status)
                and (not name_contains or name_contains.lower() in item["TrainingJobName"].lower())
            ]
            token = page.get("NextToken")
            if not token or len(found) >= limit:
                break
        found.sort(key=lambda job: job.created, reverse=True)
        return JobPage(found[:limit], token)

    async def describe_job(self, name: str) -> TrainingJob:
        raw = await self.clients.call("sagemaker", "describe_training_job", TrainingJobName=name)
        raw.pop("ResponseMetadata", None)
        return TrainingJob.from_api(raw)

    async def create_job(self, request: dict[str, Any]) -> str:
        response = await self.clients.call("sagemaker", "create_training_job", **request)
        arn: str = response["TrainingJobArn"]
        return arn

    async def stop_job(self, name: str) -> None:
        await self.clients.call("sagemaker", "stop_training_job", TrainingJobName=name)
