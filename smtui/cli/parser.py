"""The argument parser of the `smtui` command: every command, every global option.

Only argparse is imported here so that `smtui --help` starts at once. Flags that
override config values have no defaults of their own (they are None when not given), so a
value from the config file is never silently replaced by a flag's default.
"""

from __future__ import annotations

import argparse

from smtui import __version__

COMMANDS_HELP = """\
commands:
  tui         the terminal UI (the default)
  demo        train the bundled example on the local backend, in the TUI
  submit      submit a training job from the config
  jobs        list training jobs, newest first
  describe    show one job
  logs        every host's log events, merged in time order
  metrics     each host's CPU, memory, GPU and disk, and what idles or straggles
  cost        what jobs cost: by config, instance type or tag; spot savings, warm pools
  stop        stop a job
  warm-pool   keep a job's warm pool longer, or release it
  shell       a shell on a running job's host (SSM on aws)
  resubmit    clone a past job with changes, under a new name
  sync-data   make the S3 data prefix match a local folder
  ls          list an S3 prefix
  download    fetch a job's model artifacts
  instances   the instance catalogue: GPUs, memory, vCPU, price/hour
  init        write a commented jobber.yml
"""


def _global_options(parser: argparse.ArgumentParser) -> None:
    """Options every command accepts, before or after the command name.

    Defaults are SUPPRESS so a value given before the command is not reset by the
    sub-parser's copy of the same option.
    """
    group = parser.add_argument_group("global options")
    s = argparse.SUPPRESS
    group.add_argument(
        "--config", metavar="PATH", default=s, help="config file (default: ./jobber.yml)"
    )
    group.add_argument("--backend", choices=("aws", "local"), default=s, help="service backend")
    group.add_argument("--profile", default=s, help="AWS profile")
    group.add_argument("--region", default=s, help="AWS region")
    group.add_argument(
        "--endpoint-url",
        metavar="URL",
        default=s,
        help="endpoint for S3, SageMaker and Logs (e.g. a moto server)",
    )
    group.add_argument("--theme", default=s, help="TUI theme name")
    group.add_argument(
        "--readonly",
        action="store_true",
        default=s,
        help="read-only mode: no stop, submit, resubmit, sync or remote-debug switch "
        '(also "readonly" in settings)',
    )
    group.add_argument("--debug", action="store_true", default=s, help="show tracebacks on errors")
    group.add_argument(
        "--log",
        metavar="FILE",
        default=s,
        help="append a debug log to FILE: AWS calls, retries, failures (also $SMTUI_LOG)",
    )


def _job_overrides(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="K=V",
        help="hyperparameter (repeatable); dashes in K become underscores",
    )
    parser.add_argument("--instance-type", metavar="T", help="instance type, e.g. ml.g5.2xlarge")
    parser.add_argument("--instance-count", metavar="N", type=int, help="number of instances")
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print the CreateTrainingJob request as JSON and send nothing",
    )


def build_parser() -> argparse.ArgumentParser:
    """The full `smtui` parser."""
    parser = argparse.ArgumentParser(
        prog="smtui",
        description="A keyboard-driven terminal app for Amazon SageMaker training.",
        epilog=COMMANDS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"smtui {__version__}")
    _global_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        _global_options(p)
        return p

    command("tui", "the terminal UI")
    p = command("demo", "train the bundled example on the local backend, in the TUI")
    p.add_argument(
        "--home", metavar="DIR", help="keep the demo here (default: a new scratch folder)"
    )
    p.add_argument(
        "--plain", action="store_true", help="no TUI: stream the logs to stdout until the end"
    )
    p.add_argument(
        "--multinode",
        action="store_true",
        help="the multi-node example: 2 hosts x 2 processes meet at a torch_distributed rendezvous",
    )

    p = command("submit", "submit a training job from the config")
    _job_overrides(p)
    p.add_argument(
        "--distribution", choices=("torch_distributed", "mpi", "none"), help="multi-node launcher"
    )
    p.add_argument("--volume-size", metavar="GB", type=int, help="EBS volume per instance")
    p.add_argument("--keep-alive", metavar="S", type=int, help="warm pool keep-alive seconds")
    p.add_argument(
        "--checkpoints",
        nargs="?",
        const=True,
        metavar="S3URI",
        help="sync /opt/ml/checkpoints (to s3://bucket/prefix/checkpoints/JOB/, or S3URI)",
    )
    for flag, what in (
        ("--env", "container environment variable"),
        ("--tag", "job tag"),
        ("--channel", "input channel: NAME=s3://... or a path under s3://bucket/prefix/"),
    ):
        p.add_argument(
            flag, action="append", default=[], metavar="K=V", help=f"{what} (repeatable)"
        )
    p.add_argument(
        "--spot", action=argparse.BooleanOptionalAction, default=None, help="managed spot training"
    )
    p.add_argument("--max-run", metavar="S", type=int, help="maximum run time in seconds")
    p.add_argument("--max-wait", metavar="S", type=int, help="spot: maximum wait plus run time")
    p.add_argument(
        "--no-ensure-data",
        dest="ensure_data",
        action="store_const",
        const=False,
        default=None,
        help="do not put a placeholder in an empty data prefix",
    )
    p.add_argument("--job-name", metavar="BASE", help="job name base (a timestamp is added)")
    p.add_argument("--wait", action="store_true", help="wait for the job; exit 1 unless Completed")
    p.add_argument("--notify", action="store_true",
                   help="with --wait: the bell, a desktop notification (OSC 9/777) and the "
                   "settings' notify-command when the job ends")  # fmt: skip
    p.add_argument(
        "--tail-logs",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="follow the job's logs",
    )

    def kind_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--kind", choices=("training", "tuning", "processing"),
                       default="training", help="the kind of job (default: training)")  # fmt: skip

    p = command("jobs", "list jobs, newest first (training jobs, or --kind tuning|processing)")
    kind_option(p)
    p.add_argument("--status", help="InProgress, Completed, Failed, Stopping or Stopped")
    p.add_argument("--name-contains", metavar="X", help="only names containing X")
    p.add_argument("--limit", metavar="N", type=int, default=50, help="at most N jobs (default 50)")
    p.add_argument("--json", action="store_true",
                   help="print the list's summaries (TrainingJobSummaries, …) as JSON")  # fmt: skip

    p = command("describe", "show one job (a tuning job: its training jobs, best first)")
    p.add_argument("job", metavar="JOB", help="a job name, or @latest")
    kind_option(p)
    p.add_argument("--json", action="store_true",
                   help="print the Describe… response (DescribeTrainingJob, …)")  # fmt: skip

    p = command("logs", "every host's log events, merged in time order")
    p.add_argument("job", metavar="JOB", help="a job name, or @latest")
    kind_option(p)
    p.add_argument("--follow", action="store_true", help="keep tailing until the job ends")
    p.add_argument("--notify", action="store_true",
                   help="with --follow: the bell, a desktop notification (OSC 9/777) and the "
                   "settings' notify-command when the job ends")  # fmt: skip
    p.add_argument(
        "--since",
        metavar="AGE",
        help="only events newer than AGE (10m, 2h30m, 2d) or an ISO-8601 time",
    )
    p.add_argument("--host", metavar="algo-N", help="only this host's lines (default: every host)")
    p.add_argument("--tail", metavar="N", type=int, help="only the last N lines (then follow)")
    p.add_argument("--filter", metavar="REGEX", help="only lines matching REGEX")
    p.add_argument(
        "--filter-pattern",
        metavar="PATTERN",
        help="a CloudWatch Logs filter pattern, applied by CloudWatch (local: the text forms)",
    )
    p.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="json: one event per line, shaped like FilterLogEvents' events",
    )
    p.add_argument("--timestamps", action="store_true", help="prefix each line with its time")
    p.add_argument(
        "--raw",
        action="store_true",
        help="write control characters as logged (escape sequences reach the terminal)",
    )

    p = command("metrics", "each host's CPU, memory, GPU and disk, and what idles or straggles")
    p.add_argument("job", metavar="JOB", help="a job name, or @latest")
    p.add_argument("--since", metavar="AGE", help="from AGE ago (1h, 30m, an ISO time; default 1h)")
    p.add_argument("--json", action="store_true",
                   help="print GetMetricData's MetricDataResults")  # fmt: skip

    p = command("cost", "what jobs cost: by config, instance type or tag; spot savings, warm pools")
    p.add_argument("--since", metavar="AGE", help="jobs created since AGE ago (default 7d)")
    p.add_argument("--by", metavar="WHAT", default="config",
                   help="group by config (the name without its timestamp), instance, or "
                   "tag:KEY (default config)")  # fmt: skip
    p.add_argument("--json", action="store_true", help="every group and job as JSON")
    p.add_argument("--refresh", action="store_true",
                   help="describe every job and ask prices again (not what is kept)")  # fmt: skip

    p = command("stop", "stop a job")
    p.add_argument("job", metavar="JOB", help="a job name, or @latest")
    kind_option(p)
    p.add_argument("--yes", action="store_true", help="do not ask to confirm")

    p = command("warm-pool", "keep a job's warm pool longer, or release it")
    p.add_argument("job", metavar="JOB", help="a job name, or @latest")
    p.add_argument("--keep-alive", metavar="S", type=int,
                   help="keep the pool S seconds after its last use (0-21600)")  # fmt: skip
    p.add_argument("--release", action="store_true", help="release the pool now")
    p.add_argument("--yes", action="store_true", help="do not ask to confirm")

    p = command("shell", "a shell on a running job's host (SSM on aws)")
    p.add_argument("job", metavar="JOB", help="a job name, or @latest")
    p.add_argument("--host", metavar="algo-N", default="algo-1", help="the host (default algo-1)")
    p.add_argument("--yes", action="store_true",
                   help="turn remote debug on without asking, when it is off")  # fmt: skip

    p = command("resubmit", "clone a past job with changes, under a new name")
    p.add_argument("job", metavar="JOB", help="a job name, or @latest")
    _job_overrides(p)
    p.add_argument(
        "--spot", action=argparse.BooleanOptionalAction, default=None, help="managed spot training"
    )
    p.add_argument("--max-run", metavar="S", type=int, help="maximum run time in seconds")
    p.add_argument("--job-name", metavar="BASE", help="base of the new name (default: the job's)")
    p.add_argument(
        "--remove-param",
        action="append",
        default=[],
        metavar="K",
        help="leave this hyperparameter out (repeatable)",
    )

    p = command("sync-data", "make the S3 data prefix match a local folder")
    p.add_argument("--src", metavar="DIR", help="local folder (default: sync.src from config)")
    p.add_argument(
        "--dest", metavar="S3URI", help="destination (default: s3://bucket/prefix/data/)"
    )
    p.add_argument("--delete", action="store_true", help="delete objects not in the folder")
    p.add_argument("--yes", action="store_true", help="do not ask to confirm deletes")
    p.add_argument("--dry-run", action="store_true", help="show the plan and change nothing")
    p.add_argument("--watch", action="store_true", help="sync again whenever the folder changes")

    p = command("ls", "list an S3 prefix")
    p.add_argument("uri", metavar="S3URI")

    p = command("download", "fetch a job's model artifacts")
    p.add_argument("job", metavar="JOB", help="a job name, or @latest")
    p.add_argument("--dest", metavar="DIR", help="destination folder (default: ./JOB/)")
    p.add_argument("--extract", action="store_true", help="extract model.tar.gz into DIR")
    p.add_argument("--force", action="store_true", help="overwrite files that exist")

    p = command("instances", "the instance catalogue: GPUs, memory, vCPU, price/hour")
    p.add_argument("--gpu", action="store_true", help="only types with GPUs or other accelerators")
    p.add_argument("--family", help="only one family, e.g. g5")
    p.add_argument("--json", action="store_true", help="print the catalogue as JSON")

    p = command("init", "write a commented jobber.yml")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    return parser
