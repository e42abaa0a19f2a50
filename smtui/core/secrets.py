"""Secrets that must not be shown or stored: passwords in URLs, secret-looking environment.

An `--endpoint-url` may carry a password (`https://user:pass@proxy/`), and botocore quotes
the URL in its errors; an `environment:` entry may hold a token. Both reach screens, logs and
the config stored beside every job, where a whole team can read them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from smtui.core.hyperparams import looks_secret

MASK = "<masked>"
"""What a secret value is replaced by where it is stored or shown."""

_URL_PASSWORD = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]*:)[^/\s@]+@")
_KEY_IDS = re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")
"""AWS access key ids, which are as good as half a credential."""


def redact_url(text: str) -> str:
    """`text` (a URL, or a message quoting URLs) with every URL password replaced:
    `https://me:hunter2@proxy/` → `https://me:***@proxy/`."""
    if "@" not in text:
        return text
    return _URL_PASSWORD.sub(lambda m: m.group("head") + "***@", text)


def env_looks_secret(name: str) -> bool:
    """Whether an environment variable's name says it holds a secret: the hyperparameter
    rule (`password`, `token`, `secret`, `..._KEY` …), except that a dotted segment that is
    just `key` (`cache.key`, Java-style property names) is not taken for a credential."""
    if "." in name:
        return any(seg.lower() != "key" and looks_secret(seg) for seg in name.split("."))
    return looks_secret(name)


def masked_environment(environment: Mapping[str, str]) -> dict[str, str]:
    """`environment` fit to store: secret-looking names masked, URL passwords and AWS
    access key ids removed from the other values."""
    out = {}
    for name, value in environment.items():
        if env_looks_secret(name):
            out[name] = MASK
        else:
            out[name] = _KEY_IDS.sub(MASK, redact_url(value))
    return out


def secret_env_warnings(environment: Mapping[str, str], where: str) -> list[str]:
    """Warnings for environment variables whose names look like secrets."""
    return [
        f"environment variable '{name}' ({where}) looks like a secret: a job's environment "
        "is shown by DescribeTrainingJob to anyone who can read the job; pass a secret's "
        "name (Secrets Manager, SSM) and read it in the script instead"
        for name in environment
        if env_looks_secret(name)
    ]
