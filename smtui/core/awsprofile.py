"""The region a named AWS profile sets in the user's AWS config file, read without botocore.

This is one layer of the region's resolution (flag > environment > profile > file >
default), so the CLI and the TUI resolve it alike. It reads only the shared config file that
botocore reads (`AWS_CONFIG_FILE`, else `~/.aws/config`), from the `environ` given, so tests
and forms stay deterministic; no network, no credentials.
"""

from __future__ import annotations

import configparser
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ProfileRegion:
    """A region found in the config file, and where."""

    region: str
    file: Path
    section: str
    """`default` or `profile NAME`, as written in the file."""

    def __str__(self) -> str:
        return f"{self.file} [{self.section}]"


def config_file(environ: Mapping[str, str]) -> Path | None:
    """The shared AWS config file botocore reads for this environment."""
    if environ.get("AWS_CONFIG_FILE"):
        return Path(environ["AWS_CONFIG_FILE"]).expanduser()
    home = environ.get("HOME")
    return Path(home) / ".aws" / "config" if home else None


def profile_region(profile: str | None, environ: Mapping[str, str]) -> ProfileRegion | None:
    """The region `profile` sets (None: `AWS_DEFAULT_PROFILE`, else `default`), if any."""
    path = config_file(environ)
    if path is None or not path.is_file():
        return None
    name = profile or environ.get("AWS_DEFAULT_PROFILE") or "default"
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError):
        return None  # botocore would refuse the file too; the API call will say so
    # botocore reads `[default]` or `[profile default]` for the default profile, and only
    # `[profile NAME]` for the others.
    sections = [f"profile {name}"] + (["default"] if name == "default" else [])
    for section in sections:
        if parser.has_section(section):
            region = parser.get(section, "region", fallback="").strip()
            if region:
                return ProfileRegion(region, path, section)
    return None


def credentials_file(environ: Mapping[str, str]) -> Path | None:
    """The shared credentials file botocore reads for this environment."""
    if environ.get("AWS_SHARED_CREDENTIALS_FILE"):
        return Path(environ["AWS_SHARED_CREDENTIALS_FILE"]).expanduser()
    home = environ.get("HOME")
    return Path(home) / ".aws" / "credentials" if home else None


def profile_names(environ: Mapping[str, str]) -> list[str]:
    """The profiles botocore would find: `[profile NAME]` (and `[default]`) in the config
    file, every section of the credentials file; sorted, `default` first when present.
    A file that cannot be read adds none (botocore would refuse it too)."""
    found: set[str] = set()
    for path, in_config in ((config_file(environ), True), (credentials_file(environ), False)):
        if path is None or not path.is_file():
            continue
        parser = configparser.RawConfigParser()
        try:
            parser.read(path, encoding="utf-8")
        except (configparser.Error, OSError, UnicodeDecodeError):
            continue
        for section in parser.sections():
            if not in_config:
                found.add(section.strip())
            elif section == "default":
                found.add("default")
            elif section.startswith("profile "):
                found.add(section.removeprefix("profile ").strip())
            # other sections of the config file (sso-session, services) are not profiles
    return sorted(found, key=lambda name: (name != "default", name))


def profile_files(environ: Mapping[str, str]) -> str:
    """The files `profile_names` reads, for a message: `~/.aws/config or ~/.aws/credentials`."""
    paths = [str(p) for p in (config_file(environ), credentials_file(environ)) if p is not None]
    return " or ".join(paths) or "no AWS config file (HOME is not set)"
