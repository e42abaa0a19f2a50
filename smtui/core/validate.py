"""Checks across fields of a resolved `JobSpec`: what one key alone cannot tell.

Each problem points at the key (and line) the user should change; warnings are appended
to `spec.warnings`.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from smtui.core import hyperparams
from smtui.core.errors import Problem
from smtui.core.hyperparams import Hyperparameter
from smtui.core.images import LOCAL_IMAGE
from smtui.core.origin import Source
from smtui.core.preflight import read_parser, rejections
from smtui.core.request import (
    CODE_CHANNEL,
    LOCAL_MAX_HOSTS,
    build_request,
    command_entrypoint,
    entry_point_argv,
    job_name_base,
    make_job_name,
    toolkit_hyperparameters,
)
from smtui.core.requestcheck import request_problems
from smtui.core.schema import JOB_BASE_MAX
from smtui.core.spec import JobSpec

_ARG_MAX = 256
"""CreateTrainingJob limits each ContainerEntrypoint/ContainerArguments item to 256 chars."""


class _Checker:
    def __init__(self, spec: JobSpec) -> None:
        self.spec = spec
        self.problems: list[Problem] = []

    def at(self, attr: str, message: str) -> None:
        """Record a problem with the field `attr`, located where its value came from."""
        origin = self.spec.origin(attr)
        key = f"submit.{attr.replace('_', '-')}"
        if origin.source is Source.FLAG:
            self.problems.append(Problem(message, origin.detail))
        elif origin.source is Source.DEFAULT:
            self.problems.append(Problem(message, key, self.spec.config_path))
        else:
            self.problems.append(origin.problem(message, key))

    def missing(self, attr: str, why: str) -> None:
        name = attr.replace("_", "-")
        self.at(attr, f"missing: {why}; set submit.{name} in the config")


def _check_required(c: _Checker) -> None:
    spec = c.spec
    if not spec.bucket:
        c.missing("bucket", "every job needs an S3 bucket for code and outputs")
    if not spec.entry_point:
        c.missing("entry_point", "which script should the job run?")
    if spec.backend == "aws":
        if not spec.role_arn:
            c.missing("role_arn", "SageMaker needs an execution role")
        if not spec.image_uri and spec.image is None:
            c.missing("image_uri", "give an image URI, or `image: {framework, version}`")
    if spec.image_uri and spec.image is not None:
        c.at("image", "give either image-uri or image, not both")


def _check_code(c: _Checker) -> None:
    spec = c.spec
    source = spec.config_dir / spec.source_dir
    if not source.is_dir():
        c.at("source_dir", f"folder '{source}' does not exist")
        return
    if spec.entry_point:
        entry = source / spec.entry_point
        if Path(spec.entry_point).is_absolute() or ".." in Path(spec.entry_point).parts:
            c.at("entry_point", "must be a path inside source-dir")
        elif not entry.is_file():
            c.at("entry_point", f"file '{entry}' does not exist")


def _check_stopping(c: _Checker) -> None:
    spec = c.spec
    if spec.use_spot and spec.max_wait_seconds is not None:
        if spec.max_wait_seconds < spec.max_run_seconds:
            c.at(
                "max_wait_seconds",
                f"spot max-wait-seconds ({spec.max_wait_seconds}) must be at least "
                f"max-run-seconds ({spec.max_run_seconds}, {spec.origin('max_run_seconds')}); "
                "raise max-wait-seconds or lower max-run-seconds",
            )
    elif not spec.use_spot and spec.max_wait_seconds is not None:
        spec.warnings.append(
            f"max-wait-seconds ({spec.origin('max_wait_seconds')}) is ignored without use-spot"
        )
    if spec.use_spot and not spec.checkpoints:
        # A spot interruption restarts the job from scratch unless it can resume from
        # /opt/ml/checkpoints, which SageMaker only keeps with a checkpoint S3 URI.
        spec.warnings.append(
            f"use-spot ({spec.origin('use_spot')}) without checkpoints: an interrupted spot "
            "job starts over from the beginning; set checkpoints: s3://... and have the "
            "script save to and resume from /opt/ml/checkpoints"
        )


def _check_names(c: _Checker) -> None:
    spec = c.spec
    if spec.job_name and len(spec.job_name) > JOB_BASE_MAX:
        c.at(
            "job_name",
            f"base name is {len(spec.job_name)} characters; with the 20-character timestamp "
            f"suffix SageMaker's 63-character limit leaves {JOB_BASE_MAX}",
        )
    if spec.launch == "command":
        if CODE_CHANNEL in spec.channels:
            c.at("channels", f"channel '{CODE_CHANNEL}' is used by launch: command for the code")
        too_long = [
            a for a in command_entrypoint(spec) + entry_point_argv(spec) if len(a) > _ARG_MAX
        ]
        if too_long:
            c.at(
                "launch",
                f"launch: command passes arguments over {_ARG_MAX} characters: {too_long[0][:40]}…",
            )


def _check_params(c: _Checker) -> None:
    spec = c.spec
    reserved = toolkit_hyperparameters(spec, make_job_name("x" * JOB_BASE_MAX))
    c.problems.extend(
        hyperparams.check_limits(spec.params, reserved, script=spec.launch == "script")
    )
    spec.warnings.extend(hyperparams.secret_warnings(spec.params))
    if spec.launch == "script":
        spec.warnings.extend(hyperparams.toolkit_owned_warnings(spec.params))


def _check_channel_options(c: _Checker) -> None:
    unknown = sorted(set(c.spec.channel_options) - set(c.spec.channels))
    if unknown:
        c.at(
            "channel_options",
            f"channel '{unknown[0]}' is not one of the job's channels "
            f"({', '.join(c.spec.channels) or 'none'})",
        )


def _check_hosts(c: _Checker) -> None:
    spec = c.spec
    if spec.backend == "local" and spec.instance_count > LOCAL_MAX_HOSTS:
        c.at(
            "instance_count",
            f"{spec.instance_count} hosts: the local backend runs at most {LOCAL_MAX_HOSTS} "
            "(each host is a process tree with its own copy of the data on this machine)",
        )


def _warn_multinode(spec: JobSpec) -> None:
    if spec.instance_count > 1 and spec.distribution == "none":
        spec.warnings.append(
            f"instance-count {spec.instance_count} with no distribution: each host runs the entry "
            "point on its own; set distribution: torch_distributed or mpi for multi-node training"
        )


def _check_entry_point(c: _Checker) -> None:
    """Pre-flight: refuse arguments the script's argparse would certainly reject."""
    spec = c.spec
    if not spec.entry_point or not spec.entry_point.endswith(".py") or c.problems:
        return
    script = spec.config_dir / spec.source_dir / spec.entry_point
    parser = read_parser(script) if script.is_file() else None
    if parser is None:
        return
    by_flag = {(f"--{p.name}" if len(p.name) > 1 else f"-{p.name}"): p for p in spec.params}
    for rejection in rejections(parser, entry_point_argv(spec)):
        param = by_flag.get(rejection.arg)
        if param is None:
            c.at("entry_point", rejection.message)
            continue
        c.problems.append(
            param.origin.problem(
                f"{rejection.message}; {_fixes(param, rejection.arg, list(parser.options))}",
                f"params.{param.written}",
            )
        )


def _fixes(param: Hyperparameter, arg: str, options: list[str]) -> str:
    """How to make the script and the argv agree."""
    as_written = f"--{param.written}"
    near = [as_written] if as_written in options else difflib.get_close_matches(arg, options, 1)
    fixes = []
    if near:
        fixes.append(f'add an alias in the script: add_argument("{near[0]}", "{arg}", ...)')
    else:
        fixes.append(f'add the argument to the script: add_argument("{arg}", ...)')
    if as_written in options and param.name != param.written:
        fixes.append(f"or set submit.param-names: as-written (to pass {as_written})")
    return ", ".join(fixes)


def _check_request(c: _Checker) -> None:
    """The request this spec builds, against the API's own model. Run only once the checks
    above pass, so one mistake is not reported twice. The job name is the longest the base
    can make; an `image:` shorthand stands in for the URI the SDK's tables will give (the
    real one is checked again just before submitting)."""
    spec = c.spec
    if c.problems:
        return
    if spec.image_uri:
        image = spec.image_uri
    elif spec.image is not None:
        image = f"000000000000.dkr.ecr.{spec.region or 'us-east-1'}.amazonaws.com/image:latest"
    else:
        image = LOCAL_IMAGE
    request = build_request(spec, make_job_name(job_name_base(spec)), image)
    c.problems.extend(request_problems(spec, request))


PLACEHOLDERS = {
    "image_uri": "123456789012",
    "role_arn": "123456789012",
    "bucket": "my-bucket",
}
"""The example values `smtui init` writes: worth a word before anything is sent with them."""


def placeholder_warnings(spec: JobSpec) -> list[str]:
    """Warnings for values still at `smtui init`'s examples (shown by `submit`)."""
    found = []
    for attr, example in PLACEHOLDERS.items():
        value = getattr(spec, attr)
        if isinstance(value, str) and (
            value == example or f":{example}:" in value or value.startswith(example + ".")
        ):
            key = attr.replace("_", "-")
            found.append(
                f"{key} ({spec.origin(attr)}) still has the example value '{example}' "
                "from `smtui init`; set your own"
            )
    return found


def validate_spec(spec: JobSpec) -> list[Problem]:
    """Cross-field checks, then the request against the API's model; returns problems and
    appends warnings to `spec.warnings`."""
    checker = _Checker(spec)
    for check in (
        _check_required,
        _check_code,
        _check_stopping,
        _check_names,
        _check_params,
        _check_hosts,
        _check_channel_options,
        _check_entry_point,
        _check_request,
    ):
        check(checker)
    _warn_multinode(spec)
    return checker.problems
