"""`smtui demo`: the bundled example project, trained on the local backend, logs followed.

Everything happens in a scratch home (or `--home DIR`): the project is copied there, its
data generated and synced to the local bucket, and its job submitted; then the job's logs
opens on that job, its logs following. With `--plain` (or when stdout is not a terminal)
the logs stream to stdout instead, until the job ends.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
from importlib import resources
from pathlib import Path

from smtui.cli.common import run_async
from smtui.cli.logs import LogQuery, print_logs
from smtui.core.config import resolve_config
from smtui.services.backend import TransferProgress
from smtui.services.local import local_backend
from smtui.services.submit import submit_spec
from smtui.services.sync import HashCache, apply_plan, plan_folder_sync

ROWS = 400


def write_data(folder: Path, rows: int = ROWS, seed: int = 7) -> None:
    """Two noisy, overlapping clouds of points: a problem logistic regression can learn."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["x1,x2,label"]
    for _ in range(rows):
        label = rng.random() < 0.5
        centre = (0.8, 0.6) if label else (-0.6, -0.5)
        x1, x2 = (rng.gauss(c, 1.1) for c in centre)
        lines.append(f"{x1:.4f},{x2:.4f},{int(label)}")
    (folder / "train.csv").write_text("\n".join(lines) + "\n")


def copy_project(target: Path) -> Path:
    """The bundled project, copied to `target`; returns its config path."""
    bundled = resources.files("smtui.demo") / "project"
    with resources.as_file(bundled) as source:
        shutil.copytree(source, target, dirs_exist_ok=True)
    return target / "jobber.yml"


MULTINODE = "allreduce.yml"
"""The second config of the demo project: a 2-host x 2-process torch_distributed job."""


async def start_demo(home: Path, multinode: bool = False) -> str:
    """Prepare the project under `home`, sync its data, submit its job (the multi-node one
    with `multinode`); returns the job."""
    config = copy_project(home / "project")
    if multinode:
        config = config.parent / MULTINODE
    write_data(config.parent / "data")
    backend = local_backend(home)
    spec = resolve_config(config, None, os.environ | {"SMTUI_HOME": str(home)})
    assert spec.bucket is not None and spec.sync is not None
    await backend.storage.ensure_bucket(spec.bucket, spec.region)
    cache = HashCache(home / "cache" / "sync-etags.json")
    plan = await plan_folder_sync(
        backend.storage, config.parent / spec.sync.src, spec.data_uri, cache
    )
    await apply_plan(backend.storage, plan, delete=False, progress=TransferProgress())
    return (await submit_spec(backend, spec)).job_name


def run(args: argparse.Namespace) -> int:
    home = Path(args.home) if args.home else Path(tempfile.mkdtemp(prefix="smtui-demo-"))
    home.mkdir(parents=True, exist_ok=True)
    os.environ["SMTUI_HOME"] = str(home)  # the job's supervisor and later commands use it
    multinode = bool(getattr(args, "multinode", False))
    job = run_async(start_demo(home, multinode))
    if not args.plain and sys.stdout.isatty():
        from smtui.cli.tui import run_app

        project = home / "project" / (MULTINODE if multinode else "jobber.yml")
        backend = local_backend(home)
        if args.readonly:  # the demo's own job is started; what the user does is read-only
            from smtui.services.readonly import read_only

            backend = read_only(backend)
        run_app(
            backend,
            getattr(args, "theme", None),
            job,
            project,
            debug=getattr(args, "debug", False),
        )
        print(_explore(home, job), file=sys.stderr)
        return 0
    print(
        f"smtui demo: training {job} on the local backend "
        f"({'2 hosts x 2 processes' if multinode else '2 hosts'}, no AWS, no Docker)\n"
        f"  home:    {home}\n  project: {home / 'project'}\n",
        file=sys.stderr,
    )
    status = run_async(print_logs(local_backend(home), job, LogQuery(follow=True)))
    print(f"\n{job}: {status}\n{_explore(home, job)}", file=sys.stderr)
    return 0 if status == "Completed" else 1


def _explore(home: Path, job: str) -> str:
    return (
        f"explore it:  export SMTUI_HOME={home}\n"
        f"             smtui --backend local;  smtui describe {job} --backend local\n"
        f"             smtui download {job} --backend local --dest model --extract"
    )
