"""The `smtui` command: parse, dispatch, and turn errors into plain lines and exit codes.

Exit codes: 0 ok, 1 the operation failed, 2 bad usage or bad config. A traceback is shown
only with `--debug`. Command modules are imported only when their command runs, so start-up
stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from smtui.core.errors import Interrupted, SmtuiError
from smtui.core.safetext import clean
from smtui.core.secrets import redact_url

# command name -> "module:function"; each function takes the parsed args, returns an exit code.
HANDLERS = {
    "submit": "smtui.cli.submit:run",
    "resubmit": "smtui.cli.submit:run_resubmit",
    "jobs": "smtui.cli.jobs:run_jobs",
    "describe": "smtui.cli.jobs:run_describe",
    "stop": "smtui.cli.jobs:run_stop",
    "warm-pool": "smtui.cli.jobs:run_warm_pool",
    "shell": "smtui.cli.jobs:run_shell",
    "logs": "smtui.cli.logs:run",
    "metrics": "smtui.cli.metrics:run",
    "cost": "smtui.cli.cost:run",
    "sync-data": "smtui.cli.data:run_sync",
    "ls": "smtui.cli.data:run_ls",
    "download": "smtui.cli.data:run_download",
    "instances": "smtui.cli.instances:run",
    "init": "smtui.cli.init:run",
    "demo": "smtui.cli.demo:run",
    "tui": "smtui.cli.tui:run",
}


def _handler(command: str) -> Callable[[argparse.Namespace], int]:
    module, _, function = HANDLERS[command].partition(":")
    handler: Callable[[argparse.Namespace], int] = getattr(
        importlib.import_module(module), function
    )
    return handler


def _check_environment() -> None:
    """Refuse bad values of the variables smtui reads, before any command runs."""
    import os

    from smtui.core.environment import environment_problems
    from smtui.core.errors import UsageError

    problems = environment_problems(os.environ)
    if problems:
        raise UsageError(problems)


READONLY_REFUSED = {
    "submit": "submitting a job",
    "resubmit": "resubmitting a job",
    "stop": "stopping a job",
    "warm-pool": "changing a warm pool",
    "sync-data": "syncing data to S3",
}
"""The commands that change the account, refused in read-only mode (`--dry-run` runs: it
sends nothing). The backend refuses every mutating call beneath them too."""


def _read_only(args: argparse.Namespace) -> None:
    """Settle read-only mode into `args.readonly` (`--readonly`, else the settings), and
    refuse a command that would change something, before it reads a config or a file."""
    from smtui.services.settings import readonly_setting

    args.readonly = bool(getattr(args, "readonly", False)) or readonly_setting()
    what = READONLY_REFUSED.get(args.command)
    if args.readonly and what and not getattr(args, "dry_run", False):
        from smtui.core.errors import UsageError
        from smtui.services.readonly import refusal

        dry = args.command in ("submit", "resubmit", "sync-data")
        hint = "; --dry-run shows what it would do" if dry else ""
        raise UsageError(f"smtui {args.command}: {refusal(what)}{hint}")


def _start_log(args: argparse.Namespace) -> bool:
    """The debug log, when `--log` or `$SMTUI_LOG` asks for one; whether it started."""
    import os

    path = getattr(args, "log", None)
    if not path and not os.environ.get("SMTUI_LOG"):
        return False  # logging is not even imported
    from smtui.core.errors import UsageError
    from smtui.services import debuglog

    try:
        debuglog.start(path)
    except OSError as exc:
        name = "--log" if path else "SMTUI_LOG"
        raise UsageError(f"{name}: cannot write the debug log: {exc}") from exc
    debuglog.log.info("command: %s", args.command)  # not its arguments: --param can be a secret
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """Run `smtui` with `argv` (default: the process's arguments); return the exit code."""
    from smtui.cli.parser import build_parser

    args = build_parser().parse_args(argv)
    if args.command is None:
        args.command = "tui"
    debug = getattr(args, "debug", False)
    logging = False
    try:
        _check_environment()
        logging = _start_log(args)
        _read_only(args)
        return _handler(args.command)(args)
    except Interrupted as exc:
        if debug:
            raise
        print(clean(str(exc)), file=sys.stderr)
        return exc.exit_code
    except SmtuiError as exc:
        if debug:
            raise
        # Messages carry others' text (AWS error bodies, keys, file names): cleaned here, once.
        for line in clean(redact_url(str(exc)), multiline=True).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        if debug:
            raise
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `smtui jobs | head`: the reader went away; that is not an error worth a traceback.
        sys.stderr.close()
        return 0
    except Exception as exc:  # the last line of defence against tracebacks
        if debug:
            raise
        print(clean(redact_url(f"error: unexpected {type(exc).__name__}: {exc}")), file=sys.stderr)
        print(
            "error: this is a bug in smtui; run again with --debug for the traceback",
            file=sys.stderr,
        )
        return 1
    finally:
        if logging:
            from smtui.services import debuglog

            debuglog.stop()
