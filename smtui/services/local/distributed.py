"""Multi-node training on one machine: what the toolkit's runners start on every host.

For `torch_distributed` the toolkit runs torchrun on each host (`--nnodes`, `--nproc_per_node`
= the host's GPUs, else its Neuron cores, else 1, or `sagemaker_mpi_num_of_processes_per_host`
when set; `--master_addr` the first host, `--node_rank` the host's index). Here every host is a
set of processes on this machine, so the master address is the loopback address `127.0.0.1`:
the names `algo-N` do not resolve on this machine (making them resolve would mean editing
`/etc/hosts`), and every host's processes reach the master there. Each job gets a port of its
own, free when the job starts. When the job's Python has torch, its real torchrun runs with the
toolkit's arguments; otherwise smtui's launcher (`launcher.py`) starts the same processes with
the same variables. For `mpi`, algo-1 runs one mpirun for every host's ranks (`mpi`).

GPUs are shared out: each host sees its own slice through `CUDA_VISIBLE_DEVICES`, and a job
that needs more GPUs than the machine has is refused with the numbers. On a machine without
GPUs, a GPU instance type runs on the CPU (`SM_NUM_GPUS=0`), as a debugging run should.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from smtui.core.hyperparams import toolkit_value
from smtui.services.local.mpi import mpirun_problem, process_count

MASTER_ADDR = "127.0.0.1"
MAX_PROCESSES_PER_HOST = 64
"""More processes than this on one host of a local job is refused (each is a real process)."""


class DistributionRefused(Exception):
    """The job's distribution can't run on this machine; the message says why."""


def distribution_of(request: dict[str, Any]) -> str:
    """`torch_distributed`, `mpi` or `none`, from the toolkit's hyperparameters."""
    hyper = request.get("HyperParameters", {})

    def enabled(key: str) -> bool:
        return str(toolkit_value(str(hyper.get(key, "false")))).lower() == "true"

    if enabled("sagemaker_torch_distributed_enabled"):
        return "torch_distributed"
    if enabled("sagemaker_mpi_enabled"):
        return "mpi"
    return "none"


def instance_gpus(instance_type: str) -> int | None:
    """GPUs of one instance of the type, from smtui's catalogue; None when not listed."""
    from smtui.core.instances import load_catalogue

    found = load_catalogue().get(instance_type)
    if found is None or found.accelerator is None or "NVIDIA" not in found.accelerator:
        return None if found is None else 0
    return found.accelerator_count


def share_gpus(machine: int, per_instance: int | None, hosts: int, instance_type: str) -> list[
    list[int]
]:  # fmt: skip
    """Each host's GPU indices on this machine. `per_instance` is the instance type's GPU
    count (None when unknown: the machine's GPUs are split evenly). Raises
    `DistributionRefused` when the job needs more GPUs than the machine has."""
    if machine == 0 or per_instance == 0:
        return [[] for _ in range(hosts)]
    each = per_instance if per_instance is not None else machine // hosts
    if each * hosts > machine or each == 0:
        wanted = f"{hosts} x {instance_type} need {max(each, 1) * hosts} GPUs"
        if per_instance:
            wanted += f" ({per_instance} each)"
        raise DistributionRefused(
            f"{wanted}; this machine has {machine}: lower instance-count or pick a type with "
            "fewer GPUs"
        )
    return [list(range(i * each, (i + 1) * each)) for i in range(hosts)]


def processes_per_host(request: dict[str, Any], gpus: int, neurons: int) -> int:
    """What the toolkit starts per host: `sagemaker_mpi_num_of_processes_per_host` when
    set, else the host's GPUs, else its Neuron cores, else 1."""
    raw = request.get("HyperParameters", {}).get("sagemaker_mpi_num_of_processes_per_host")
    if raw is not None:
        try:
            count = int(str(toolkit_value(str(raw))))
        except ValueError:
            raise DistributionRefused(
                f"sagemaker_mpi_num_of_processes_per_host must be a number, not {raw!r}"
            ) from None
    else:
        count = gpus or neurons or 1
    if not 1 <= count <= MAX_PROCESSES_PER_HOST:
        raise DistributionRefused(
            f"{count} processes per host: a local job runs 1 to {MAX_PROCESSES_PER_HOST}"
        )
    return count


def free_port() -> int:
    """A TCP port free on the loopback address now (the job's MASTER_PORT)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((MASTER_ADDR, 0))
        return int(probe.getsockname()[1])


def has_module(python: str, module: str) -> bool:
    """Whether the job's Python can import `module`."""
    try:
        found = subprocess.run(
            [python, "-c", f"import {module}"],
            capture_output=True, timeout=120, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return False
    return found.returncode == 0


def has_torchrun(python: str) -> bool:
    """Whether the job's Python can run torchrun (`python -m torch.distributed.run`)."""
    return has_module(python, "torch.distributed.run")


def submit_problem(request: dict[str, Any], machine_gpus: int) -> str | None:
    """Why this machine can't run the request's distribution, or None."""
    kind = distribution_of(request)
    resources = request.get("ResourceConfig", {})
    hosts = int(resources.get("InstanceCount", 1))
    instance_type = str(resources.get("InstanceType", ""))
    try:
        slices = share_gpus(machine_gpus, instance_gpus(instance_type), hosts, instance_type)
        if kind == "mpi":
            process_count(request, hosts * processes_per_host(request, len(slices[0]), 0))
            return mpirun_problem()
        if kind == "torch_distributed":
            processes_per_host(request, 0, 0)
            program = str(
                toolkit_value(str(request.get("HyperParameters", {}).get("sagemaker_program", "")))
            )
            if not program.endswith(".py"):
                return (
                    f"distribution: torch_distributed runs a Python script; the entry point "
                    f"'{program}' is not one (the toolkit refuses it too)"
                )
    except (DistributionRefused, ValueError) as exc:
        return str(exc)
    return None


@dataclass(frozen=True)
class TorchPlan:
    """How every host of a torch_distributed job starts its processes."""

    hosts: int
    nproc: int
    port: int
    torchrun: bool
    """Real torchrun (the job's Python has torch), else smtui's launcher."""
    run_id: str

    def command(self, node_rank: int, python: str, script: list[str]) -> list[str]:
        """The host's command: torchrun's as the toolkit builds it (the master address
        moved to loopback), or smtui's launcher with the same arguments."""
        options = [
            "--nnodes", str(self.hosts), "--nproc_per_node", str(self.nproc),
            "--master_addr", MASTER_ADDR, "--master_port", str(self.port),
            "--node_rank", str(node_rank),
        ]  # fmt: skip
        if self.torchrun:
            return [python, "-m", "torch.distributed.run", *options, *script[1:]]
        launcher = [sys.executable, "-m", "smtui.services.local.launcher"]
        return [*launcher, *options, "--run_id", self.run_id, "--", *script]

    def environment(self) -> dict[str, str]:
        """What the toolkit's torch_distributed runner exports before torchrun, with the
        socket interface set to loopback, where every host of this machine meets."""
        return {"NCCL_SOCKET_IFNAME": "lo", "GLOO_SOCKET_IFNAME": "lo", "NCCL_PROTO": "simple"}


def visible_devices(gpus: list[int]) -> dict[str, str]:
    """`CUDA_VISIBLE_DEVICES` for a host's slice ('' hides every GPU)."""
    return {"CUDA_VISIBLE_DEVICES": ",".join(str(g) for g in gpus)}
