"""Sending a notice (`core/notify.py`): the terminal's bell and OSC sequences, written by the
caller to its terminal, and the settings' `notify-command`, run here."""

from __future__ import annotations

import logging
import subprocess

from smtui.core.notify import Notice, command_line

log = logging.getLogger("smtui.notify")
TIMEOUT = 30.0
"""Seconds a notify command may take (a Slack webhook, a mail) before it is given up on."""


def run_command(command: list[str], notice: Notice) -> str | None:
    """Run the notify command for `notice` (blocking: call it off the event loop); what
    went wrong, or None."""
    argv = command_line(command, notice)
    try:
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=TIMEOUT, check=False)  # fmt: skip
    except FileNotFoundError:
        return f"notify-command: {argv[0]} is not on PATH"
    except OSError as exc:
        return f"notify-command: {argv[0]}: {exc}"
    except subprocess.TimeoutExpired:
        return f"notify-command: {argv[0]} took over {TIMEOUT:g} s; it was stopped"
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip().splitlines()
        return f"notify-command: {argv[0]} exited {done.returncode}" + (
            f": {said[-1]}" if said else ""
        )
    log.info("notify-command ran for %s %s", notice.job, notice.status)
    return None
