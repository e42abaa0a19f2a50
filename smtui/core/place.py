"""Where the aws backend points: a profile and a region, and what names them.

Shared by the config's schema (its `profile` and `region` keys), the TUI's `:profile` and
`:region`, and the start that takes the place last chosen in the app."""

from __future__ import annotations

import re

PLACE_ENV: dict[str, tuple[str, ...]] = {
    "profile": ("AWS_PROFILE",),
    "region": ("AWS_REGION", "AWS_DEFAULT_REGION"),
}
"""The environment variables that name each, highest precedence first (botocore's)."""

REGION_PATTERN = r"[a-z]{2}(-[a-z]+)+-\d+"
"""An AWS region name: `us-east-1`, `us-gov-west-1`, `ap-southeast-5`."""


def is_region_name(name: str) -> bool:
    return re.fullmatch(REGION_PATTERN, name) is not None
