"""Instance metrics per host from CloudWatch: one GetMetricData call for every host of a job.

GetMetricData is billed per metric requested ($0.01 per 1,000 in us-east-1): a watched
16-host job is 80 metrics a minute, about $0.05 an hour; a 4-host job, $0.012.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from smtui.core.hostmetrics import PERIOD, queries
from smtui.services.aws.clients import AwsClients


class AwsMetrics:
    """`MetricsService` over CloudWatch."""

    period = PERIOD

    def __init__(self, clients: AwsClients) -> None:
        self.clients = clients

    async def host_metrics(
        self, job: str, hosts: int, start: dt.datetime, end: dt.datetime
    ) -> list[dict[str, Any]]:
        asked = queries(job, hosts, PERIOD)  # SageMaker publishes a point a minute
        # One page holds 100,800 points: 80 metrics × 21 h of minutes.
        found: list[dict[str, Any]] = await self.clients.every_item(
            "cloudwatch", "get_metric_data", "MetricDataResults", pages=10,
            MetricDataQueries=asked, StartTime=start, EndTime=end, ScanBy="TimestampAscending",
        )  # fmt: skip
        return found
