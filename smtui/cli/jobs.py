"""`smtui jobs`, `smtui describe`, `smtui stop`, `smtui shell`."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import TYPE_CHECKING

from smtui.cli.common import lenient_spec, make_backend_for, resolve_job, run_async
from smtui.cli.render import table, to_json
from smtui.core.errors import UsageError
from smtui.core.formats import duration, money, when
from smtui.core.jobs import TrainingJob, Trial, check_keep_alive, keep_alive_said, parse_status
from smtui.core.jobstate import capacity_wait, interruptions, lost_in_all, same_accelerator
from smtui.core.kinds import TRAINING, TUNING, kind_of
from smtui.core.prices import PriceBook, shipped_book
from smtui.core.safetext import clean
from smtui.services.backend import Backend
from smtui.services.pricing import load_prices

if TYPE_CHECKING:
    from smtui.core.kinds import Kind
    from smtui.services.shell import ShellCommand


def run_jobs(args: argparse.Namespace) -> int:
    """List jobs newest first, as a table or as TrainingJobSummaries JSON."""
    try:
        status = parse_status(args.status) if args.status else None
    except ValueError as exc:
        raise UsageError(f"--status: {exc}") from None
    if args.limit < 1:
        raise UsageError("--limit: must be at least 1")
    kind = kind_of(args.kind)
    backend = make_backend_for(lenient_spec(args), args)
    if (reason := backend.jobs.why_not(kind)) is not None:
        print(f"smtui: {reason}", file=sys.stderr)  # there are none here, and this is why
        if args.json:
            print("[]")
        return 0
    page = run_async(backend.jobs.list_jobs(status, args.name_contains, args.limit, kind=kind))
    if args.json:
        print(json.dumps([to_json(job.raw) for job in page.jobs], indent=2))
        return 0
    if not page.jobs:
        print(f"no {kind.plural} found", file=sys.stderr)  # a header over nothing says less
        return 0
    rows = [["NAME", "STATUS", "SECONDARY", "CREATED", "ENDED"]]
    rows += [
        [j.name, j.status, j.secondary_status or "-", when(j.created), when(j.ended)]
        for j in page.jobs
    ]
    for line in table(rows, indent=""):
        print(line)
    return 0


def heading_lines(job: TrainingJob) -> list[str]:
    """`run-1  Failed (Failed)`, then the failure reason when there is one."""
    secondary = f" ({job.secondary_status})" if job.secondary_status else ""
    lines = [f"{job.name}  {job.status}{secondary}"]
    if job.failure_reason:
        lines.append(f"failure reason: {job.failure_reason}")
    return lines


def describe_lines(job: TrainingJob, prices: PriceBook | None = None) -> list[str]:
    """A job's description for people: status history, parameters, data, artifacts, cost
    (at `prices`; default the shipped table)."""
    book = prices or shipped_book()
    lines = heading_lines(job)
    lines += [
        f"instances: {job.instance_type} x {job.instance_count}"
        + ("  (managed spot)" if job.use_spot else ""),
        f"created {when(job.created)}, started {when(job.started)}, ended {when(job.ended)}",
        f"elapsed {duration(job.elapsed())}, billable {duration(job.billable_seconds)}, "
        f"est. cost {money(job.cost(prices=book))}{book.brief_caveat}"
        + (f", spot savings {job.spot_savings:.0%}" if job.spot_savings is not None else ""),
    ]
    if lost := interruptions(job):
        lines.append(f"spot interruptions: {lost_in_all(lost)}")
    if (wait := capacity_wait(job)) is not None:
        lines.append(f"waiting for capacity for {duration(wait.lasted(dt.datetime.now(dt.UTC)))}"
                     f": {wait.message}")  # fmt: skip
        if others := same_accelerator(job.instance_type):
            lines.append(f"same accelerator: {', '.join(others)}")
    if job.transitions:
        lines.append("status history:")
        lines += table(
            [
                [t.status, when(t.start), duration(t.end - t.start) if t.end else "…", t.message]
                for t in job.transitions
            ]
        )
    if job.hyperparameters:
        lines.append("hyperparameters:")
        lines += table([[k, v] for k, v in sorted(job.params.items())])
    if job.channels:
        lines.append("channels:")
        lines += table([[k, v] for k, v in job.channels.items()])
    lines.append(f"model artifacts: {job.model_artifacts or '-'}")
    # Every field above is someone else's text (a failure reason is the script's own
    # words): shown, never obeyed. Failure reasons are often several lines; they stay so.
    return [clean(line, multiline=True) for line in lines]


def section_lines(
    job: TrainingJob, trials: list[Trial] | None, prices: PriceBook | None = None
) -> list[str]:
    """A tuning or processing job for people: the details screen's sections, as text."""
    from smtui.core.jobview import sections

    lines = heading_lines(job)
    for section in sections(job, trials=trials, prices=prices):
        lines.append(f"{section.title.lower()}:")
        lines += table([[label, value] for label, value in section.rows])
    return [clean(line, multiline=True) for line in lines]


def run_describe(args: argparse.Namespace) -> int:
    kind = kind_of(args.kind)
    backend = make_backend_for(lenient_spec(args), args)
    args.job = resolve_job(args, backend)  # @latest: the newest job of the config
    job = run_async(backend.jobs.describe_job(args.job, kind))
    if args.json:
        print(json.dumps(to_json(job.raw), indent=2))
        return 0
    prices = run_async(load_prices(backend))  # the region's (kept a week)
    if kind is TRAINING:
        print("\n".join(describe_lines(job, prices)))
    else:
        trials = run_async(backend.jobs.trials(job.name)) if kind is TUNING else None
        print("\n".join(section_lines(job, trials, prices)))
    return 0


def confirm(question: str) -> bool:
    """Ask on the terminal; refuse plainly when there is no terminal to ask on."""
    if not sys.stdin.isatty():
        raise UsageError(f"{question} — no terminal to confirm on; pass --yes")
    answer = input(f"{question} [y/N] ").strip().lower()
    return answer in ("y", "yes")


async def _stop(backend: Backend, name: str, kind: Kind) -> str:
    await backend.jobs.stop_job(name, kind)
    return (await backend.jobs.describe_job(name, kind)).status


def run_stop(args: argparse.Namespace) -> int:
    kind = kind_of(args.kind)
    backend = make_backend_for(lenient_spec(args), args)
    args.job = resolve_job(args, backend)  # @latest: the newest job of the config
    also = " (its running training jobs stop too)" if kind is TUNING else ""
    if not args.yes and not confirm(f"stop {kind.noun} {args.job}{also}?"):
        print("not stopped", file=sys.stderr)
        return 1
    status = run_async(_stop(backend, args.job, kind))
    print(clean(f"{args.job}: {status}"))
    return 0


def run_shell(args: argparse.Namespace) -> int:
    """A shell on the job's host, on this terminal; its exit code is the command's."""
    from smtui.services.shell import prepare_shell

    backend = make_backend_for(lenient_spec(args), args)
    args.job = resolve_job(args, backend)

    async def prepare() -> ShellCommand:
        job = await backend.jobs.describe_job(args.job)

        async def ask(question: str) -> bool:
            return bool(args.yes) or confirm(question)

        return await prepare_shell(backend, job, args.host, ask)

    command = run_async(prepare())
    for note in command.notes:
        print(clean(note), file=sys.stderr)
    return command.run()


def run_warm_pool(args: argparse.Namespace) -> int:
    """Keep a job's warm pool longer, or release it."""
    if (args.keep_alive is None) == (not args.release):
        raise UsageError("give one of --keep-alive S (keep the pool S seconds after its last "
                         "use) or --release")  # fmt: skip
    seconds = 0 if args.release else int(args.keep_alive)
    check_keep_alive(seconds)  # refused before any call when out of range
    backend = make_backend_for(lenient_spec(args), args)
    args.job = resolve_job(args, backend)
    job = run_async(backend.jobs.describe_job(args.job))
    if (problem := job.warm_pool_problem()) is not None:
        raise UsageError(problem)
    what = "release" if seconds == 0 else f"keep for {duration(dt.timedelta(seconds=seconds))}"
    if not args.yes and not confirm(f"{what} {args.job}'s warm pool ({job.warm_pool()})?"):
        print("left as it is", file=sys.stderr)
        return 1
    run_async(backend.jobs.keep_warm_pool(args.job, seconds))
    print(clean(keep_alive_said(args.job, seconds)))
    return 0
