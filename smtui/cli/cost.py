"""`smtui cost`: what the training jobs created since a time cost, by config, instance type
or tag: billed time × the region's price, the warm pools' retained time, and what spot
saved. Ended jobs' descriptions are kept on disk (`services/described.py`), so a second
run describes only the jobs that can still change."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

from smtui.cli.common import lenient_spec, make_backend_for, run_async
from smtui.cli.logs import parse_age
from smtui.cli.render import plural, table
from smtui.core.costs import CostTotal, check_grouping, totals
from smtui.core.errors import UsageError
from smtui.core.formats import money, when
from smtui.core.safetext import clean
from smtui.services.spend import Billed, bills

DEFAULT_SINCE = "7d"


def _row(total: CostTotal) -> list[str]:
    """A group's line: its money `-` when none of its jobs has a price, marked `*` when
    some have none (the note under the table names their instances)."""

    def dollars(value: float) -> str:
        if total.unpriced == total.jobs:
            return "-"
        return money(value) + ("*" if total.unpriced else "")

    return [
        total.label,
        str(total.jobs),
        f"{total.instance_hours:,.1f}",
        dollars(total.compute),
        dollars(total.retained),
        dollars(total.spot_saved),
        dollars(total.total),
    ]


def _total_json(total: CostTotal) -> dict[str, Any]:
    return {
        "group": total.label,
        "jobs": total.jobs,
        "instance_hours": round(total.instance_hours, 4),
        "compute": round(total.compute, 4),
        "warm_pool": round(total.retained, 4),
        "spot_saved": round(total.spot_saved, 4),
        "total": round(total.total, 4),
        "unpriced_jobs": total.unpriced,
    }


def _job_json(billed: Billed) -> dict[str, Any]:
    cost = billed.cost

    def dollars(value: float | None) -> float | None:
        return None if value is None else round(value, 4)

    return {
        "name": cost.name,
        "status": cost.status,
        "created": cost.created.isoformat(),
        "group": billed.group,
        "instances": cost.instances,
        "rate_per_hour": dollars(cost.rate),
        "billable_seconds": cost.billed_seconds,
        "retained_seconds": cost.retained_seconds,
        "spot_saved_seconds": cost.saved_seconds,
        "running": cost.running,
        "compute": dollars(cost.compute),
        "warm_pool": dollars(cost.retained),
        "spot_saved": dollars(cost.spot_saved),
        "total": dollars(cost.total),
    }


def run(args: argparse.Namespace) -> int:
    seconds = parse_age(args.since or DEFAULT_SINCE)
    try:
        by = check_grouping(args.by)
    except ValueError as exc:
        raise UsageError(f"--by: {exc}") from None
    since = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=seconds)
    backend = make_backend_for(lenient_spec(args), args)
    book, billed = run_async(bills(backend, since, by, refresh=args.refresh))
    groups, overall = totals((b.cost, b.group) for b in billed)
    if args.json:
        report = {
            "since": since.isoformat(),
            "region": book.region,
            "prices": book.source,
            "regional_prices": book.regional,
            "by": by,
            "groups": [_total_json(g) for g in groups],
            "total": _total_json(overall),
            "jobs": [_job_json(b) for b in billed],
        }
        print(json.dumps(report, indent=2))
        return 0
    # The source may quote an AWS error's words: shown, never obeyed.
    print(clean(f"training jobs created since {when(since)}; prices: {book.source}"),
          file=sys.stderr)  # fmt: skip
    if not billed:
        print("no training jobs in that time", file=sys.stderr)
        return 0
    header = [by.upper(), "JOBS", "INSTANCE-H", "COMPUTE", "WARM POOL", "SPOT SAVED", "TOTAL"]
    for line in table([header, *map(_row, groups), _row(overall)], indent=""):
        print(line)
    running = sum(b.cost.running for b in billed)
    if running:
        print(f"{running} still running: their cost is until now", file=sys.stderr)
    unpriced = sorted({b.cost.instances for b in billed if b.cost.rate is None})
    if unpriced:
        print(clean(f"* {plural(overall.unpriced, 'job')} with no price for "
                    f"{', '.join(unpriced)}: the time is counted, the money is not"),
              file=sys.stderr)  # fmt: skip
    return 0
