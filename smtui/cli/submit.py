"""`smtui submit`: resolve the config, build the request, and (for now) print it."""

from __future__ import annotations

import argparse
import json
import sys

from smtui.cli.common import global_overrides, load_spec, warn
from smtui.cli.render import describe_spec
from smtui.core.errors import SmtuiError
from smtui.core.images import resolve_image_uri
from smtui.core.request import build_request, job_name_base, make_job_name


def run(args: argparse.Namespace) -> int:
    """Submit from config; with `--dry-run`, print the exact request on stdout and stop."""
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
    ):
        overrides.set(attr, value, flag)
    spec = load_spec(args, overrides)
    job_name = make_job_name(job_name_base(spec))
    request = build_request(spec, job_name, resolve_image_uri(spec))
    if args.dry_run:
        for line in describe_spec(spec):
            print(line, file=sys.stderr)
        warn(spec.warnings)
        print(json.dumps(request, indent=2))
        return 0
    warn(spec.warnings)
    raise SmtuiError(
        f"submitting to the {spec.backend} backend is not available yet in this version; "
        "use --dry-run to see the request"
    )
