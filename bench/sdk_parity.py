"""What `smtui submit --dry-run` sends, beside what SageMaker Python SDK v2 sends for the
same job, field by field.

Run: python bench/sdk_parity.py [--venv DIR] [--only NAME]... [--show]

The SDK is too heavy for the test suite (and must never be one of smtui's dependencies),
so this script makes (once) a venv of its own, `~/.cache/smtui/bench-sdk-venv` (or
`--venv`), with `sagemaker>=2.250,<3`. It writes seven configs into a temporary project,
runs `smtui submit --dry-run` on each, builds the same job with SDK v2 (`PyTorch` in
script mode, as a user of a PyTorch image would; `Estimator` for `launch: command`) on a
mocked session (`bench/sdk_parity_build.py`, in that venv; nothing reaches AWS), and
compares the two requests by dotted path (channels, tags and metrics keyed by name).

Every difference is printed with its explanation from `KNOWN`, the table of differences
whose reasons are known. A difference that is not in the table is UNEXPLAINED, and the
script exits 1: either smtui has a bug to fix, or the table lacks a reason to write down.
The SDK side is written by hand from the config, as an SDK user would write it, never
derived from smtui's request.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import venv
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VENV = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "smtui"
VENV = VENV / "bench-sdk-venv"
SDK_REQUIREMENT = "sagemaker>=2.250,<3"

ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"
BUCKET = "parity-bucket"
PREFIX = "parity"
REGION = "us-east-1"
ROOT_URI = f"s3://{BUCKET}/{PREFIX}/"
PYTORCH_IMAGE = (
    "763104351884.dkr.ecr.us-east-1.amazonaws.com/"
    "pytorch-training:2.5.1-gpu-py311-cu124-ubuntu22.04-sagemaker"
)
PLAIN_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/plain-trainer:latest"
COMMAND_SHELL = (
    "set -e; mkdir -p /opt/ml/code; "
    "tar -xzf /opt/ml/input/data/code/sourcedir.tar.gz -C /opt/ml/code; "
    'cd /opt/ml/code; exec python3 train.py "$@"'
)
"""What a user of a toolkit-less image writes for the SDK's `container_entry_point`: unpack
the code they uploaded as a `code` channel and run the script (the README's `launch:
command`)."""

HEADER = f"""\
submit:
  role-arn: {ROLE}
  bucket: {BUCKET}
  prefix: {PREFIX}
  region: {REGION}
  source-dir: code
  entry-point: train.py
"""


@dataclass
class Case:
    """One config, and the same job as an SDK v2 user would write it."""

    name: str
    config: str
    """The keys under `submit:` beyond `HEADER`'s (YAML, indented by two)."""
    sdk_class: str
    sdk_kwargs: dict[str, Any]
    inputs: dict[str, Any] = field(default_factory=lambda: {"train": f"{ROOT_URI}data/"})
    """`fit()`'s inputs: an S3 URI or `TrainingInput` keyword arguments per channel.
    `{job}` anywhere is replaced with the job's name."""


def script_kwargs(**more: Any) -> dict[str, Any]:
    """The SDK's PyTorch estimator in script mode, with this project's layout."""
    return {
        "entry_point": "train.py",
        "source_dir": "{code}",
        "role": ROLE,
        "output_path": f"{ROOT_URI}outputs/",
        "code_location": f"{ROOT_URI}code",
        **more,
    }


CASES = [
    Case(
        "script-tricky",
        f"""\
  image-uri: {PYTORCH_IMAGE}
  instance-type: ml.g5.xlarge
  job-name: tricky
  params:
    version: "1.10"
    flag: "true"
    cfg: '{{"a": 1}}'
    nothing: "null"
    empty: ""
    name: "naïve ☃ \\u00e9"
    quote: 'say "hi"'
    batch-size: 64
    dropout: 0.1
    use-amp: true
    layers: [64, 32]
    sched: {{warmup: 100, kind: cosine}}
  environment:
    NCCL_DEBUG: INFO
    EXTRA: "a=1 b='2'"
  tags:
    team: vision
    cost-center: "ml/é 1"
  metric-definitions:
    - {{name: "train:loss", regex: "loss=([0-9.eE+-]+)"}}
""",
        "PyTorch",
        script_kwargs(
            image_uri=PYTORCH_IMAGE,
            framework_version="2.5",
            py_version="py311",
            instance_type="ml.g5.xlarge",
            instance_count=1,
            hyperparameters={
                "version": "1.10",
                "flag": "true",
                "cfg": '{"a": 1}',
                "nothing": "null",
                "empty": "",
                "name": "naïve ☃ é",
                "quote": 'say "hi"',
                "batch_size": 64,
                "dropout": 0.1,
                "use_amp": True,
                "layers": [64, 32],
                "sched": {"warmup": 100, "kind": "cosine"},
            },
            environment={"NCCL_DEBUG": "INFO", "EXTRA": "a=1 b='2'"},
            tags=[{"Key": "team", "Value": "vision"}, {"Key": "cost-center", "Value": "ml/é 1"}],
            metric_definitions=[{"Name": "train:loss", "Regex": "loss=([0-9.eE+-]+)"}],
        ),
    ),
    Case(
        "spot-checkpoints",
        f"""\
  image-uri: {PYTORCH_IMAGE}
  instance-type: ml.g5.2xlarge
  job-name: spot
  use-spot: true
  max-run-seconds: 7200
  max-wait-seconds: 14400
  checkpoints: true
  volume-size-gb: 100
  params: {{epochs: 3}}
""",
        "PyTorch",
        script_kwargs(
            image_uri=PYTORCH_IMAGE,
            framework_version="2.5",
            py_version="py311",
            instance_type="ml.g5.2xlarge",
            instance_count=1,
            volume_size=100,
            use_spot_instances=True,
            max_run=7200,
            max_wait=14400,
            checkpoint_s3_uri=f"{ROOT_URI}checkpoints/{{job}}/",
            checkpoint_local_path="/opt/ml/checkpoints",
            hyperparameters={"epochs": 3},
        ),
    ),
    Case(
        "torch-distributed-2-node",
        f"""\
  image-uri: {PYTORCH_IMAGE}
  instance-type: ml.g5.12xlarge
  instance-count: 2
  distribution: torch_distributed
  job-name: ddp
  params: {{epochs: 3, batch-size: 256}}
""",
        "PyTorch",
        script_kwargs(
            image_uri=PYTORCH_IMAGE,
            framework_version="2.5",
            py_version="py311",
            instance_type="ml.g5.12xlarge",
            instance_count=2,
            distribution={"torch_distributed": {"enabled": True}},
            hyperparameters={"epochs": 3, "batch_size": 256},
        ),
    ),
    Case(
        "mpi",
        f"""\
  image-uri: {PYTORCH_IMAGE}
  instance-type: ml.g5.12xlarge
  instance-count: 2
  distribution: mpi
  job-name: horovod
  params: {{epochs: 3}}
""",
        "PyTorch",
        script_kwargs(
            image_uri=PYTORCH_IMAGE,
            framework_version="2.5",
            py_version="py311",
            instance_type="ml.g5.12xlarge",
            instance_count=2,
            # One process per GPU, as the SDK's docs tell a Horovod user to write.
            distribution={"mpi": {"enabled": True, "processes_per_host": 4}},
            hyperparameters={"epochs": 3},
        ),
    ),
    Case(
        "warm-pool-two-channels",
        f"""\
  image-uri: {PYTORCH_IMAGE}
  instance-type: ml.g5.xlarge
  job-name: warm
  keep-alive-seconds: 1800
  channels:
    train: data/
    validation: s3://{BUCKET}/shared/validation/
  channel-options:
    validation: {{input-mode: FastFile, sharded: true}}
  params: {{epochs: 1}}
""",
        "PyTorch",
        script_kwargs(
            image_uri=PYTORCH_IMAGE,
            framework_version="2.5",
            py_version="py311",
            instance_type="ml.g5.xlarge",
            instance_count=1,
            keep_alive_period_in_seconds=1800,
            hyperparameters={"epochs": 1},
        ),
        inputs={
            "train": f"{ROOT_URI}data/",
            "validation": {
                "s3_data": f"s3://{BUCKET}/shared/validation/",
                "distribution": "ShardedByS3Key",
                "input_mode": "FastFile",
            },
        },
    ),
    Case(
        "launch-command",
        f"""\
  image-uri: {PLAIN_IMAGE}
  instance-type: ml.m5.xlarge
  job-name: plain
  launch: command
  params: {{epochs: 3, lr: "0.01", tag: "1.10"}}
""",
        "Estimator",
        {
            "image_uri": PLAIN_IMAGE,
            "role": ROLE,
            "instance_type": "ml.m5.xlarge",
            "instance_count": 1,
            "output_path": f"{ROOT_URI}outputs/",
            "container_entry_point": ["/bin/sh", "-c", COMMAND_SHELL, "sh"],
            "container_arguments": ["--epochs", "3", "--lr", "0.01", "--tag", "1.10"],
            "hyperparameters": {"epochs": 3, "lr": "0.01", "tag": "1.10"},
        },
        inputs={"train": f"{ROOT_URI}data/", "code": f"{ROOT_URI}code/{{job}}/"},
    ),
    Case(
        "image-shorthand",
        """\
  image: {framework: pytorch, version: "2.5", py-version: py311}
  instance-type: ml.g5.xlarge
  job-name: shorthand
  params: {epochs: 2}
""",
        "PyTorch",
        script_kwargs(
            framework_version="2.5",
            py_version="py311",
            instance_type="ml.g5.xlarge",
            instance_count=1,
            hyperparameters={"epochs": 2},
        ),
    ),
]


# --- the known differences ----------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What a rule may look at besides the two values."""

    case: str
    job: str


Check = Callable[[Any, Any, Context], bool]
MISSING = object()
"""The value on the side a field is absent from."""


@dataclass(frozen=True)
class Known:
    """A difference whose reason is known: at paths matching `path`, when `applies`."""

    path: str
    """A regular expression the whole dotted path must match."""
    applies: Check
    why: str


def absent_in_smtui(expected: Any = None) -> Check:
    """The SDK sends the field (with `expected`, unless None); smtui does not."""
    return lambda ours, sdk, _: ours is MISSING and (expected is None or sdk == expected)


def absent_in_sdk(expected: Any) -> Check:
    """smtui sends the field with `expected`; the SDK leaves it out."""
    return lambda ours, sdk, _: sdk is MISSING and ours == expected


def code_bundle(ours: Any, sdk: Any, ctx: Context) -> bool:
    return bool(
        ours == json.dumps(f"{ROOT_URI}code/{ctx.job}/sourcedir.tar.gz")
        and sdk == json.dumps(f"{ROOT_URI}code/{ctx.job}/source/sourcedir.tar.gz")
    )


def config_tag(ours: Any, sdk: Any, ctx: Context) -> bool:
    return sdk is MISSING and ours == f"{ROOT_URI}configs/{ctx.job}.yml"


KNOWN = [
    Known(
        r"HyperParameters\.sagemaker_submit_directory",
        code_bundle,
        "where the code bundle is uploaded: smtui's S3 layout has "
        "s3://B/P/code/<job>/sourcedir.tar.gz (DESIGN §2), the SDK "
        "<code_location>/<job>/source/sourcedir.tar.gz; the toolkit downloads whichever "
        "this names",
    ),
    Known(
        r"Tags\[smtui:config\]\.Value",
        config_tag,
        "smtui's own tag: the URI of the fully resolved config it stores beside every job "
        "(s3://B/P/configs/<job>.yml), which resubmit and the details pane read",
    ),
    Known(
        r"DebugHookConfig\..*",
        absent_in_smtui(),
        "SDK v2 attaches the Debugger hook by default, in every region that has Debugger "
        "(not to a PyTorch job that checkpoints, which SMDebug can't follow: hence none in "
        "spot-checkpoints); "
        "smtui sends no DebugHookConfig: without Debugger rules the hook only writes tensors "
        "nobody reads, and the API sets none up when the field is absent",
    ),
    Known(
        r"ProfilerConfig\..*",
        absent_in_smtui(),
        "SDK v2 asks for Debugger's system monitoring by default (DisableProfiler: false, "
        "output under output_path); smtui sends no ProfilerConfig, so SageMaker sets none up",
    ),
    Known(
        r"AlgorithmSpecification\.EnableSageMakerMetricsTimeSeries",
        absent_in_smtui(True),
        "SDK v2's framework estimators turn SageMaker Metrics time series on by default "
        "(enable_sagemaker_metrics, PyTorch >= 1.3); smtui sends it only with "
        "`metrics-time-series: true`, so a config says what it gets (the API's default is off)",
    ),
    Known(
        r"HyperParameters\.sagemaker_instance_type",
        absent_in_smtui(json.dumps("ml.g5.12xlarge")),
        "SDK v2 records the instance type for torch_distributed, for its own checks; the "
        "toolkit takes the instance type from resourceconfig.json (current_instance_type), "
        "never from this hyperparameter",
    ),
    Known(
        r"EnableManagedSpotTraining",
        absent_in_sdk(False),
        "smtui always says whether the job is spot; the SDK leaves the field out when it is "
        "not, and false is the API's default",
    ),
]


# --- running both sides -------------------------------------------------------------


def ensure_sdk_venv(folder: Path) -> Path:
    """The SDK venv's python, creating the venv (and installing SDK v2) on first use."""
    python = folder / "bin" / "python"
    probe = "import sagemaker, sys; sys.exit(0 if sagemaker.__version__.startswith('2.') else 1)"
    if python.exists():
        ok = subprocess.run(
            [str(python), "-c", probe],
            env=_quiet_sdk_env(),
            capture_output=True,
        )
        if ok.returncode == 0:
            return python
    print(f"setting up {folder} ({SDK_REQUIREMENT}) ...", file=sys.stderr)
    venv.create(folder, with_pip=True, clear=True)
    install = [str(python), "-m", "pip", "install", "--quiet", SDK_REQUIREMENT]
    if subprocess.run(install).returncode != 0:
        raise SystemExit(f"sdk_parity: could not install {SDK_REQUIREMENT} into {folder}")
    return python


def _quiet_sdk_env() -> dict[str, str]:
    env = dict(os.environ)
    env["SAGEMAKER_SUPPRESS_V2_WARNING"] = "1"
    return env


def _isolated_env(home: Path) -> dict[str, str]:
    """The environment for `smtui`: no AWS profile, region or endpoint of the user's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SMTUI_"))}
    (home / "aws-config").write_text("")
    env |= {
        "AWS_CONFIG_FILE": str(home / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "aws-config"),
        "SMTUI_HOME": str(home / "smtui-home"),
        "PYTHONPATH": str(ROOT),
    }
    return env


def write_project(folder: Path, cases: list[Case]) -> dict[str, Path]:
    """The project's code and one config per case."""
    code = folder / "code"
    code.mkdir()
    # No argparse: the entry-point pre-flight has no verdict on a script that reads sys.argv.
    (code / "train.py").write_text("import sys\n\nprint(sys.argv[1:])\n")
    paths = {}
    for case in cases:
        path = folder / f"{case.name}.yml"
        path.write_text(HEADER + case.config)
        paths[case.name] = path
    return paths


def dry_run(path: Path, env: dict[str, str]) -> dict[str, Any]:
    argv = [sys.executable, "-m", "smtui", "--config", str(path), "submit", "--dry-run"]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=path.parent)
    if done.returncode != 0:
        raise SystemExit(f"sdk_parity: smtui refused {path.name}:\n{done.stderr}")
    request: dict[str, Any] = json.loads(done.stdout)
    return request


def _placeholders(value: Any, subs: dict[str, str]) -> Any:
    if isinstance(value, str):
        for key, text in subs.items():
            value = value.replace("{" + key + "}", text)
        return value
    if isinstance(value, list):
        return [_placeholders(v, subs) for v in value]
    if isinstance(value, dict):
        return {k: _placeholders(v, subs) for k, v in value.items()}
    return value


def sdk_requests(
    python: Path, cases: list[Case], jobs: dict[str, str], code: Path
) -> tuple[str, dict[str, dict[str, Any]]]:
    """The SDK's version and its request for every case (named by case)."""
    work = []
    for case in cases:
        subs = {"job": jobs[case.name], "code": str(code)}
        work.append(
            {
                "name": case.name,
                "class": case.sdk_class,
                "kwargs": _placeholders(case.sdk_kwargs, subs),
                "inputs": _placeholders(case.inputs, subs),
                "job_name": jobs[case.name],
                "region": REGION,
                "bucket": BUCKET,
            }
        )
    builder = Path(__file__).with_name("sdk_parity_build.py")
    done = subprocess.run(
        [str(python), str(builder)],
        input=json.dumps(work),
        capture_output=True,
        text=True,
        env=_quiet_sdk_env(),
        cwd=code.parent,
    )
    if done.returncode != 0:
        raise SystemExit(f"sdk_parity: the SDK side failed:\n{done.stderr[-4000:]}")
    out = json.loads(done.stdout)
    return out["sdk_version"], out["requests"]


# --- comparing ----------------------------------------------------------------------

_KEYED = {"InputDataConfig": "ChannelName", "Tags": "Key", "MetricDefinitions": "Name"}
"""Lists whose order carries no meaning to the API: compared by each item's name."""


def flatten(value: Any, path: str = "") -> dict[str, Any]:
    """Dotted paths to leaf values; keyed lists by name, other lists as one value."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out |= flatten(item, f"{path}.{key}" if path else str(key))
        return out
    name = path.rsplit(".", 1)[-1]
    if isinstance(value, list) and name in _KEYED and all(isinstance(v, dict) for v in value):
        out = {}
        for item in value:
            rest = {k: v for k, v in item.items() if k != _KEYED[name]}  # the key is the path
            out |= flatten(rest, f"{path}[{item.get(_KEYED[name])}]")
        return out
    return {path: value}


@dataclass
class Difference:
    path: str
    ours: Any
    sdk: Any
    reason: int | None
    """The number of the `KNOWN` entry that explains it (from 1), or None."""


def compare(case: str, ours: dict[str, Any], sdk: dict[str, Any]) -> tuple[int, list[Difference]]:
    """How many paths were compared, and each one that differs, with its reason if known."""
    left, right = flatten(ours), flatten(sdk)
    ctx = Context(case, ours["TrainingJobName"])
    paths = sorted(set(left) | set(right))
    found = []
    for path in paths:
        a, b = left.get(path, MISSING), right.get(path, MISSING)
        if a == b:
            continue
        reason = next(
            (
                n
                for n, k in enumerate(KNOWN, 1)
                if re.fullmatch(k.path, path) and k.applies(a, b, ctx)
            ),
            None,
        )
        found.append(Difference(path, a, b, reason))
    return len(paths), found


def shown(value: Any) -> str:
    if value is MISSING:
        return "(absent)"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 90 else text[:87] + "..."


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--venv", type=Path, default=VENV, help=f"the SDK's venv ({VENV})")
    parser.add_argument("--only", action="append", default=[], help="run only this case")
    parser.add_argument("--show", action="store_true", help="print both requests too")
    args = parser.parse_args()
    cases = [c for c in CASES if not args.only or c.name in args.only]
    if not cases:
        parser.error(f"no such case; the cases: {', '.join(c.name for c in CASES)}")
    python = ensure_sdk_venv(args.venv)
    with tempfile.TemporaryDirectory(prefix="sdk-parity-") as tmp:
        folder = Path(tmp)
        paths = write_project(folder, cases)
        env = _isolated_env(folder)
        ours = {name: dry_run(path, env) for name, path in paths.items()}
        jobs = {name: request["TrainingJobName"] for name, request in ours.items()}
        version, theirs = sdk_requests(python, cases, jobs, folder / "code")
    print(f"smtui submit --dry-run against SageMaker Python SDK {version} (mocked client)\n")
    summary, unexplained, used = [], 0, set()
    for case in cases:
        if args.show:
            print(f"--- {case.name}: smtui\n{json.dumps(ours[case.name], indent=1)}")
            print(f"--- {case.name}: SDK\n{json.dumps(theirs[case.name], indent=1)}")
        count, found = compare(case.name, ours[case.name], theirs[case.name])
        bad = [d for d in found if d.reason is None]
        unexplained += len(bad)
        used |= {d.reason for d in found}
        print(f"== {case.name}: {len(found)} of {count} fields differ, {len(bad)} unexplained")
        for d in found:
            mark = "UNEXPLAINED" if d.reason is None else f"[{d.reason}]"
            print(
                f"  {mark:<11} {d.path}\n{'':14}smtui {shown(d.ours)}\n{'':14}SDK   {shown(d.sdk)}"
            )
        summary.append(
            f"{case.name:<26} {count:>3} fields  {len(found):>2} differ  "
            f"{len(found) - len(bad):>2} explained  {len(bad):>2} unexplained"
        )
    print("\nwhy they differ")
    for n, known in enumerate(KNOWN, 1):
        if n in used:
            print(
                textwrap.fill(
                    known.why,
                    92,
                    initial_indent=f"[{n}] ",
                    subsequent_indent="    ",
                    break_on_hyphens=False,
                )
            )
    print("\nsummary")
    print("\n".join(summary))
    print("all explained" if not unexplained else f"{unexplained} UNEXPLAINED")
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
