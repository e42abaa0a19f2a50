"""One rank of a local mpi job: `python -m smtui.services.local.mpirank RANKS.json`, as
mpirun starts it on every slot (see `mpi`).

It reads its rank from mpirun (`OMPI_COMM_WORLD_RANK`, else `PMIX_RANK`, else `PMI_RANK`),
finds the host the rank lives on (ranks fill the hosts in order, `per_host` each, as
`-map-by slot` fills `algo-1:P,algo-2:P` on SageMaker) and runs that host's command from
that host's code folder with that host's environment (`SM_CURRENT_HOST`, its tree, its GPUs),
plus what mpirun gave the process (`OMPI_*`, `PMIX_*`, the `-x` exports), the local rank
variables set as that host would have them. It stays the command's parent, so that when
the rank fails it can say which rank on which host it was (on stderr, which mpirun tags
into algo-1's log, and first in `failed-rank` beside the table, for the failure reason);
SIGTERM and SIGINT are passed on, and the command dies with it (`PR_SET_PDEATHSIG`).
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from types import FrameType
from typing import Any

PR_SET_PDEATHSIG = 1
FAILED = "failed-rank.json"
"""The first failed rank's host and what happened, beside the rank table."""


def own_rank(environ: dict[str, str]) -> int:
    for name in ("OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"):
        if environ.get(name, "").isdigit():
            return int(environ[name])
    raise SystemExit("smtui mpirank: no rank from mpirun (OMPI_COMM_WORLD_RANK, PMIX_RANK)")


def rank_environment(table: dict[str, Any], rank: int, environ: dict[str, str]) -> dict[str, str]:
    """The rank's environment: its host's, plus what mpirun added to algo-1's (mpirun runs
    with algo-1's), with Open MPI's local rank variables as on that host."""
    per_host, processes = int(table["per_host"]), int(table["processes"])
    index = rank // per_host
    mpirun_env: dict[str, str] = table["hosts"][0]["env"]
    added = {k: v for k, v in environ.items() if k not in mpirun_env or k.startswith("OMPI_")}
    env = dict(table["hosts"][index]["env"]) | added
    env |= {
        "OMPI_COMM_WORLD_LOCAL_RANK": str(rank % per_host),
        "OMPI_COMM_WORLD_LOCAL_SIZE": str(min(per_host, processes - index * per_host)),
        "OMPI_COMM_WORLD_NODE_RANK": str(index),
    }
    return env


def die_with_parent() -> None:
    """In the child, before exec: SIGKILL when the shim dies (mpirun's SIGKILL included)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: the supervisor still ends every process of the job


def report(folder: Path, host: str, what: str) -> None:
    """The failure on stderr, and in `failed-rank` when no rank failed before this one."""
    sys.stderr.write(f"smtui mpirank: {what}\n")
    sys.stderr.flush()
    try:
        fd = os.open(folder / FAILED, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError:
        return  # another rank failed first (or the disk is full): its line stands
    with os.fdopen(fd, "w") as out:
        json.dump({"host": host, "what": what}, out)


def main(argv: list[str]) -> int:
    ranks = Path(argv[0])
    table = json.loads(ranks.read_text())
    rank = own_rank(dict(os.environ))
    per_host = int(table["per_host"])
    host = table["hosts"][rank // per_host]
    child = subprocess.Popen(
        host["command"],
        cwd=host["cwd"],
        env=rank_environment(table, rank, dict(os.environ)),
        preexec_fn=die_with_parent,  # safe here: the shim has no other threads
    )
    stopping: list[int] = []

    def pass_on(signum: int, _frame: FrameType | None) -> None:
        stopping.append(signum)
        child.send_signal(signum)

    signal.signal(signal.SIGTERM, pass_on)
    signal.signal(signal.SIGINT, pass_on)
    code = child.wait()
    if code == 0 or stopping:
        return code if code >= 0 else 128 - code
    how = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
    what = f"rank {rank} (local rank {rank % per_host}) on {host['host']} failed: {how}"
    report(ranks.parent, host["host"], what)
    return code if code > 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
