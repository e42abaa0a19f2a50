"""`smtui init`: write a commented jobber.yml to start from."""

from __future__ import annotations

import argparse
import sys
from importlib import resources

from smtui.cli.common import config_path
from smtui.core.errors import UsageError


def template() -> str:
    """The commented config that `smtui init` writes."""
    return resources.files("smtui.core").joinpath("data/jobber.yml").read_text()


def run(args: argparse.Namespace) -> int:
    path = config_path(args)
    if path.exists() and not args.force:
        raise UsageError(f"{path} already exists; pass --force to overwrite it")
    path.write_text(template())
    print(
        f"wrote {path}; edit image-uri, role-arn, bucket and entry-point, then run", file=sys.stderr
    )
    print(f"  smtui submit --config {path} --dry-run", file=sys.stderr)
    return 0
