"""What several commands share: finding the config and layering global options over it."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from smtui.core.config import DEFAULT_CONFIG, Overrides, resolve_config
from smtui.core.origin import Origin
from smtui.core.spec import JobSpec


def config_path(args: argparse.Namespace) -> Path:
    """The config file named by `--config`, else ./jobber.yml."""
    given = getattr(args, "config", None)
    return Path(given) if given else DEFAULT_CONFIG


def global_overrides(args: argparse.Namespace) -> Overrides:
    """Overrides from the global options (`--backend`, `--profile`, `--region`, ...)."""
    overrides = Overrides()
    for attr, flag in (
        ("backend", "--backend"),
        ("profile", "--profile"),
        ("region", "--region"),
        ("endpoint_url", "--endpoint-url"),
    ):
        overrides.set(attr, getattr(args, attr, None), flag)
    return overrides


def load_spec(args: argparse.Namespace, overrides: Overrides) -> JobSpec:
    """Resolve the config with the environment and `overrides`; fill the region from
    the AWS config files when nothing else set it."""
    spec = resolve_config(config_path(args), overrides, os.environ)
    if spec.region is None and spec.backend == "aws":
        from smtui.services.awsconfig import configured_region

        region = configured_region(spec.profile)
        if region:
            spec.region = region
            spec.origins["region"] = Origin.default(
                f"AWS config, profile {spec.profile or 'default'}"
            )
    return spec


def warn(lines: list[str]) -> None:
    """Print warnings to stderr, one per line."""
    for line in lines:
        print(f"warning: {line}", file=sys.stderr)
