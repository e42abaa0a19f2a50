"""The environment a host's process starts with: built, not inherited.

A SageMaker container starts with the image's environment, the request's `Environment` and
what the toolkit exports, and gets the execution role's credentials from the instance, never
the submitter's keys. Here the process gets only what a program needs to run on this machine
(PATH, HOME, user, shell, locale, time zone, temporary folder), what the user allows by name
in `SMTUI_LOCAL_PASS_ENV`, then the request's `Environment`, then the toolkit's contract. So
`AWS_SECRET_ACCESS_KEY`, tokens and everything else in the shell that submitted the job stay
out of the script (and out of its log) unless named.
"""

from __future__ import annotations

import os
import shlex
import stat
from collections.abc import Mapping
from pathlib import Path

PASS_ENV = "SMTUI_LOCAL_PASS_ENV"
"""Comma-separated names of the submitter's variables that a local job may see."""
BASE_NAMES = frozenset(
    {"PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TZ", "TMPDIR"}
)
"""What any program expects to find; none of it is a secret."""


def passed_names(environ: Mapping[str, str]) -> set[str]:
    """The names `SMTUI_LOCAL_PASS_ENV` allows."""
    return {name.strip() for name in environ.get(PASS_ENV, "").split(",") if name.strip()}


def base_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """What a host's process inherits from `environ` (the supervisor's, which is the
    submitter's): the base names, the locale's `LC_*`, and the names the user allows."""
    wanted = BASE_NAMES | {n for n in environ if n.startswith("LC_")} | passed_names(environ)
    return {name: environ[name] for name in sorted(wanted) if name in environ}


def python_shim(folder: Path, python: str) -> Path:
    """A folder holding `python` and `python3` that run `python`, to put first on PATH.

    In a container `python3` is the image's Python; here it must be the job's Python
    (`SMTUI_LOCAL_PYTHON`), also for a `launch: command` job whose shell line says
    `python3`. A script that execs it, not a symlink: a virtualenv's interpreter finds its
    environment from its own path, which a symlink elsewhere would lose."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("python", "python3"):
        shim = folder / name
        shim.write_text(f'#!/bin/sh\nexec {shlex.quote(python)} "$@"\n')
        shim.chmod(shim.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return folder


def host_environment(
    environ: Mapping[str, str], contract: Mapping[str, str], shim: Path
) -> dict[str, str]:
    """A host process's whole environment: `base_environment(environ)`, then the contract
    (the request's `Environment` and the toolkit's variables), with the Python shim first
    on PATH and the code folder first on PYTHONPATH (before a PYTHONPATH the user allows)."""
    base = base_environment(environ)
    env = base | dict(contract)
    env["PATH"] = f"{shim}{os.pathsep}{env.get('PATH', os.defpath)}"
    if base.get("PYTHONPATH") and "PYTHONPATH" in contract:
        env["PYTHONPATH"] = f"{contract['PYTHONPATH']}{os.pathsep}{base['PYTHONPATH']}"
    return env
