"""`smtui submit` and `smtui resubmit`."""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys

from smtui.cli.common import (
    global_overrides,
    lenient_spec,
    load_spec,
    make_backend_for,
    notify_setup,
    resolve_job,
    run_async,
    say_end,
    warn,
)
from smtui.cli.logs import LogQuery, print_logs
from smtui.cli.render import describe_spec
from smtui.core.config import parse_param_flag
from smtui.core.errors import UsageError
from smtui.core.images import resolve_image_uri
from smtui.core.jobs import TERMINAL
from smtui.core.request import job_name_base, make_job_name
from smtui.core.requestcheck import checked_request
from smtui.core.safetext import clean
from smtui.core.schema import JOB_BASE_MAX, JOB_NAME_PATTERN
from smtui.core.validate import placeholder_warnings
from smtui.services.backend import Backend
from smtui.services.logtail import TailPolicy
from smtui.services.submit import Submitted, cost_check, resubmit, submit_spec


def run(args: argparse.Namespace) -> int:
    """Submit from config; with `--dry-run`, print the exact request on stdout and stop."""
    if args.notify and not args.wait:
        raise UsageError("--notify tells you when the job ends: it needs --wait")
    notify: list[str] | bool = notify_setup(args) or bool(args.notify)
    overrides = global_overrides(args)
    overrides.params = list(args.param)
    for attr, value, flag in (
        ("instance_type", args.instance_type, "--instance-type"),
        ("instance_count", args.instance_count, "--instance-count"),
        ("use_spot", args.spot, "--spot" if args.spot else "--no-spot"),
        ("max_run_seconds", args.max_run, "--max-run"),
        ("max_wait_seconds", args.max_wait, "--max-wait"),
        ("ensure_data", args.ensure_data, "--no-ensure-data"),
        ("job_name", args.job_name, "--job-name"),
        ("tail_logs", args.tail_logs, "--tail-logs" if args.tail_logs else "--no-tail-logs"),
        ("distribution", args.distribution, "--distribution"),
        ("volume_size_gb", args.volume_size, "--volume-size"),
        ("keep_alive_seconds", args.keep_alive, "--keep-alive"),
        ("checkpoints", args.checkpoints, "--checkpoints"),
    ):
        overrides.set(attr, value, flag)
    for attr, flag, given in (
        ("environment", "--env", args.env),
        ("tags", "--tag", args.tag),
        ("channels", "--channel", args.channel),
    ):
        for text in given:
            key, sep, value = text.partition("=")
            if not sep or not key.strip():
                raise UsageError(f"{flag}: malformed '{text}': expected KEY=VALUE")
            overrides.entries.setdefault(attr, []).append((key.strip(), value, flag))
    spec = load_spec(args, overrides)
    spec.warnings += placeholder_warnings(spec)
    if args.dry_run:
        job_name = make_job_name(job_name_base(spec))
        request = checked_request(spec, job_name, resolve_image_uri(spec))
        for line in describe_spec(spec):
            print(line, file=sys.stderr)
        warn(spec.warnings)
        # A price is read (GetProducts, kept a week); nothing about the job is sent.
        said = run_async(cost_check(make_backend_for(spec, args), spec))
        print(clean(said or f"cost: no price for {spec.instance_type}"), file=sys.stderr)
        print(json.dumps(request, indent=2))
        return 0
    warn(spec.warnings)
    backend = make_backend_for(spec, args)
    submitted = run_async(submit_spec(backend, spec))
    report(submitted)
    return follow_up(backend, submitted.job_name, wait=args.wait, tail=spec.tail_logs,
                     notify=notify)  # fmt: skip


def report(submitted: Submitted) -> None:
    for note in submitted.notes:
        print(clean(f"smtui: {note}"), file=sys.stderr)
    print(f"submitted {submitted.job_name}", file=sys.stderr)
    print(submitted.job_name)


def follow_up(
    backend: Backend, job: str, *, wait: bool, tail: bool, notify: list[str] | bool = False
) -> int:
    """Tail and/or wait as asked; with `wait`, exit 0 only when the job Completed. With
    `notify` (True, or the settings' notify-command), the end is told (`send_notice`)."""
    if not wait and not tail:
        return 0
    status = run_async(_follow(backend, job, tail))
    command = notify if isinstance(notify, list) else None
    say_end(backend, job, status, reason=wait, notify=bool(notify), command=command)
    return 1 if wait and status != "Completed" else 0


async def _follow(backend: Backend, job: str, tail: bool) -> str:
    if tail:
        await print_logs(backend, job, LogQuery(follow=True))
    while True:
        status = (await backend.jobs.describe_job(job)).status
        if status in TERMINAL:
            return status
        # As often as a log tail checks status: 15 s on AWS, 1 s on the local backend.
        await asyncio.sleep(TailPolicy.for_source(backend.logs).status_every)


def run_resubmit(args: argparse.Namespace) -> int:
    params = {p.written: p.value for p in map(parse_param_flag, args.param)}
    backend = make_backend_for(lenient_spec(args), args)
    args.job = resolve_job(args, backend)  # @latest: the newest job of the config
    if args.job_name is not None and not re.fullmatch(JOB_NAME_PATTERN, args.job_name):
        raise UsageError(f"--job-name: '{args.job_name}' is not a valid job name base")
    if args.job_name is not None and len(args.job_name) > JOB_BASE_MAX:
        raise UsageError(f"--job-name: at most {JOB_BASE_MAX} characters (a suffix is added)")
    submitted = run_async(
        resubmit(
            backend,
            args.job,
            params,
            args.instance_type,
            args.instance_count,
            dry_run=args.dry_run,
            removed=list(args.remove_param),
            spot=args.spot,
            max_run=args.max_run,
            job_name=args.job_name,
        )
    )
    if args.dry_run:
        for note in submitted.notes:
            print(clean(f"smtui: {note}"), file=sys.stderr)
        print(json.dumps(submitted.request, indent=2))
        return 0
    report(submitted)
    return 0
