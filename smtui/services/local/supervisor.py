"""The supervisor of one local training job: `python -m smtui.services.local.supervisor DIR`.

It forks at once; the parent notes the child's pid in `supervisor.json` and exits, so
whoever started it (the CLI, the TUI) can return, and the job lives on without them, as it
would on SageMaker. The child, the child subreaper of every process the job starts
(`proctree`), then, for every host `algo-1..N`:

1. Downloading: builds the host's `/opt/ml`-shaped tree, stages each channel from the local
   bucket and unpacks the code bundle (`staging`);
2. Training: runs the entry point (under torchrun or smtui's launcher for torch_distributed,
   `distributed`; for mpi, one mpirun on algo-1 for every host's ranks, `mpi`) with the
   toolkit's environment and argv (`contract`, `hostenv`), every output line timestamped
   into the host's log stream (`host`); a host that fails ends the
   others, as on SageMaker; SIGTERM (from `smtui stop`), MaxRuntimeInSeconds or the end of
   the main processes sends SIGTERM to every process of the job and SIGKILL after a grace
   period;
3. Uploading: tars every host's `model/` into `outputs/<job>/output/model.tar.gz` (and
   `output/data/` into `output.tar.gz`) in the local bucket (`outputs`);

and records each secondary status and the end: Completed, Failed with the reason from
`output/failure` (else the exit code and the last lines of output), or Stopped, with
FinalMetricDataList when the job has metric definitions.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any, BinaryIO

from smtui.core.s3uri import S3Uri
from smtui.services.errors import ServiceError
from smtui.services.local.checkpoints import CHECKPOINT_EVERY, Checkpoints
from smtui.services.local.contract import HostContract, count_gpus, count_neurons, host_names
from smtui.services.local.distributed import (
    MASTER_ADDR,
    DistributionRefused,
    TorchPlan,
    distribution_of,
    free_port,
    has_module,
    has_torchrun,
    instance_gpus,
    processes_per_host,
    share_gpus,
    visible_devices,
)
from smtui.services.local.host import Host
from smtui.services.local.hostenv import host_environment, python_shim
from smtui.services.local.logs import log_record
from smtui.services.local.mpi import MpiPlan, mpi_setting, mpirun_problem, process_count
from smtui.services.local.mpirank import FAILED as FAILED_RANK
from smtui.services.local.outputs import final_metrics, write_merged_tar
from smtui.services.local.proctree import ProcessTree
from smtui.services.local.sampler import Sampler
from smtui.services.local.staging import (
    JobFailed,
    install_requirements,
    stage_channels,
    unpack_code,
)
from smtui.services.local.storage import LocalStorage, write_atomically
from smtui.services.local.store import (
    SHELL_FILE,
    JobStore,
    enter_secondary,
    finish,
    now_iso,
    process_start,
    record_reason,
    reserve_reason,
    write_json,
)

Plan = TorchPlan | MpiPlan | None
"""How a distributed job's hosts start their processes (None: one process per host)."""

STOP_GRACE = float(os.environ.get("SMTUI_LOCAL_STOP_GRACE", "10"))
"""Seconds between SIGTERM and SIGKILL (SageMaker gives 120; a local job is smaller)."""


def print_traceback() -> None:
    """The current exception's traceback to supervisor.log, if the disk still takes it."""
    try:
        traceback.print_exc()
        sys.stderr.flush()
    except OSError:
        pass


class Supervisor:
    def __init__(self, store: JobStore, name: str) -> None:
        self.store = store
        self.name = name
        self.folder = store.folder(name)
        self.request = store.request(name)
        self.storage = LocalStorage(store.home / "buckets")
        self.stop_requested = threading.Event()
        count = int(self.request.get("ResourceConfig", {}).get("InstanceCount", 1))
        created = int(time.time())
        self.contracts = [
            HostContract(self.folder / host, host, self.request) for host in host_names(count)
        ]
        self.log_paths = {
            c.host: self.folder / "logs" / f"{c.host}-{created}.log" for c in self.contracts
        }
        checkpoint_uri = self.request.get("CheckpointConfig", {}).get("S3Uri")
        self.checkpoints = (
            Checkpoints(self.storage, checkpoint_uri, [c.checkpoint_dir for c in self.contracts])
            if checkpoint_uri
            else None
        )
        self.tree = ProcessTree()
        """Every process of the job; the supervisor is their subreaper."""
        self.restored = 0
        """Checkpoint files put in every host's checkpoints/ before the script started."""

    # --- state -------------------------------------------------------------------------------

    def secondary(self, status: str, message: str, **fields: Any) -> None:
        def change(state: dict[str, Any]) -> None:
            state.update(fields)
            if state["TrainingJobStatus"] == "InProgress":
                enter_secondary(state, status, message)

        self.store.update(self.name, change)

    def end(self, status: str, secondary: str, message: str, reason: str | None = None,
            **fields: Any) -> None:  # fmt: skip
        definitions = self.request.get("AlgorithmSpecification", {}).get("MetricDefinitions")
        if definitions and (metrics := final_metrics(definitions, self.log_paths.values())):
            fields["FinalMetricDataList"] = metrics

        def change(state: dict[str, Any]) -> None:
            state.update(fields)
            finish(state, status, secondary, message, reason)

        self.store.update(self.name, change)

    # --- the run -------------------------------------------------------------------------

    def run(self) -> None:
        """Run the job to its end; whatever happens, the job ends (or says why it can't)."""
        try:
            self._run()
        except JobFailed as exc:
            self.fail(str(exc))
        except Exception as exc:  # noqa: BLE001 - any bug must still end the job, not hang it
            print_traceback()
            self.fail(f"InternalServerError: the local supervisor failed: {exc}")

    def fail(self, reason: str) -> None:
        """End the job Failed with `reason`. The reason goes first into the room reserved
        at start, the one write a full disk still allows, so that when the state can't be
        written either, the next reader marks the job Failed with it."""
        record_reason(self.folder, reason)
        self.tree.signal(signal.SIGKILL)  # nothing of the job outlives it, even here
        try:
            self.end("Failed", "Failed", "Training job failed", reason)
        except Exception:  # noqa: BLE001 - the reason is recorded; the next reader ends it
            print_traceback()

    def _run(self) -> None:
        """Downloading, Training, Uploading, and the end, as SageMaker moves a job."""
        self.secondary("Downloading", "Downloading input data",
                       TrainingStartTime=now_iso())  # fmt: skip
        self.prepare()
        if self.stop_requested.is_set():
            self.end("Stopped", "Stopped", "Training job stopped by user")
            return
        self.secondary("Training", "Training image download completed. Training in progress.")
        outcome, reason = self.train()
        if outcome == "Failed":
            if self.checkpoints is not None:
                self.checkpoints.upload()  # a failed run's last checkpoint, to resume from
            self.end("Failed", "Failed", "Training job failed", reason)
            return
        self.secondary("Uploading", "Uploading generated training model")
        artifacts = self.upload()
        if outcome == "Completed":
            self.end("Completed", "Completed", "Training job completed", **artifacts)
        elif outcome == "MaxRuntimeExceeded":
            self.end("Stopped", "MaxRuntimeExceeded",
                     "Training job runtime exceeded MaxRuntimeInSeconds provided",
                     **artifacts)  # fmt: skip
        else:
            self.end("Stopped", "Stopped", "Training job stopped by user", **artifacts)

    def prepare(self) -> None:
        """Build every host's tree, stage its channels and unpack the code."""
        (self.folder / "logs").mkdir(exist_ok=True)
        for contract in self.contracts:
            self.log_paths[contract.host].touch()
            contract.build_tree()
            stage_channels(self.storage, self.request, contract)
            unpack_code(self.storage, self.request, contract)
        if self.checkpoints is not None:
            self.restored = self.checkpoints.restore()

    def train(self) -> tuple[str, str | None]:
        """Run every host to the end. Returns (outcome, failure reason)."""
        python = os.environ.get("SMTUI_LOCAL_PYTHON") or sys.executable
        gpus, neurons = count_gpus(), count_neurons()
        shim = python_shim(self.folder / "bin", python)
        slices, plan = self.distribution(python, gpus, neurons)
        envs = [
            self.host_env(contract, slices[index], gpus, neurons, plan, shim)
            for index, contract in enumerate(self.contracts)
        ]
        for contract, env in zip(self.contracts, envs, strict=True):
            # For `smtui shell`: mkstemp's file, renamed into place, is the owner's only.
            write_json(contract.root / SHELL_FILE, {"cwd": str(contract.code_dir), "env": env})
        commands = [contract.command(python) for contract in self.contracts]
        if isinstance(plan, MpiPlan):
            commands = [plan.rank_command(command, python) for command in commands]
            plan.write_ranks(
                [
                    {"host": c.host, "cwd": str(c.code_dir), "env": env, "command": command}
                    for c, command, env in zip(self.contracts, commands, envs, strict=True)
                ]
            )
        hosts: list[Host] = []
        for index, contract in enumerate(self.contracts):
            command = commands[index]
            if isinstance(plan, TorchPlan):
                command = plan.command(index, python, command)
            elif isinstance(plan, MpiPlan):
                command = plan.command(envs[0]) if index == 0 else []
            host = Host(contract, self.log_paths[contract.host], command)
            hosts.append(host)
            self.introduce(host, plan, commands[index])
            if (contract.code_dir / "requirements.txt").exists():
                install_requirements(host, python, self.request)
            if command:
                self.start(host, envs[index], hosts)
        self.store.note_processes(
            self.name,
            hosts={
                h.contract.host: {"pid": h.process.pid, "start": process_start(h.process.pid)}
                for h in hosts
                if h.process is not None
            },
        )
        done = threading.Event()
        copier = self.checkpoints.keep_uploading(done) if self.checkpoints else None
        sampler = Sampler(
            self.tree.root,
            self.folder,
            {c.host: slices[index] for index, c in enumerate(self.contracts)},
            {c.host: c.root for c in self.contracts},
        ).keep_sampling(done)
        try:
            outcome, reason = self.wait(hosts)
        finally:
            done.set()
            sampler.join()
            if copier is not None:
                copier.join()
        for host in hosts:
            host.finish()
        return outcome, reason

    def host_env(self, contract: HostContract, gpus: list[int], machine_gpus: int,
                 neurons: int, plan: Plan, shim: Path) -> dict[str, str]:  # fmt: skip
        """A host's whole environment: the contract, its GPUs and the launcher's variables."""
        variables = contract.environment(len(gpus), neurons)
        if machine_gpus:
            variables |= visible_devices(gpus)
        if isinstance(plan, TorchPlan):
            variables |= plan.environment()
        return host_environment(os.environ, variables, shim)

    def introduce(self, host: Host, plan: Plan, script: list[str]) -> None:
        """The first lines of a host's log: where it runs, how its processes start."""
        contract = host.contract
        image = self.request.get("AlgorithmSpecification", {}).get("TrainingImage", "")
        host.write(
            f"smtui local: host {contract.host} of {len(self.contracts)} runs on this "
            f"machine, without a container (image {image or '-'} is not used)"
        )
        if isinstance(plan, TorchPlan):
            host.write(
                f"smtui local: torch_distributed: {plan.hosts} host(s) x {plan.nproc} "
                f"process(es), master {MASTER_ADDR}:{plan.port}, started by "
                + ("torchrun" if plan.torchrun else "smtui's launcher (no torch here)")
            )
        elif isinstance(plan, MpiPlan):
            host.write(plan.describe())
            first = self.contracts.index(contract) * plan.per_host
            mine = range(first, min(first + plan.per_host, plan.processes))
            where = "its log" if first == 0 else "algo-1's log, tagged [1,rank] by mpirun"
            host.write(
                f"smtui local: mpi: {contract.host} runs rank(s) {list(mine)} as "
                f"{shlex.join(script)}; their output is in {where}, as on SageMaker"
            )
        if self.checkpoints is not None:
            host.write(
                f"smtui local: checkpoints/ ({contract.checkpoint_dir}) holds "
                f"{self.restored} file(s) from {self.checkpoints.where}; what the script "
                f"writes there is copied back every {CHECKPOINT_EVERY:g} s"
            )

    def start(self, host: Host, env: dict[str, str], hosts: list[Host]) -> None:
        """Start a host's main process; a command that can't start fails the job."""
        host.write("Invoking script with the following command:")
        host.write(shlex.join(host.command))
        try:
            host.start(env)
        except OSError as exc:
            host.write(f"smtui local: cannot start {host.command[0]}: {exc}")
            self.end_processes(hosts)
            raise JobFailed(f"AlgorithmError: cannot start the entry point: {exc}") from exc
        assert host.process is not None
        self.tree.owned[host.process.pid] = host.process

    def distribution(self, python: str, gpus: int, neurons: int) -> tuple[list[list[int]], Plan]:
        """Each host's GPUs, and how a torch_distributed or mpi job starts its processes."""
        resources = self.request.get("ResourceConfig", {})
        instance_type = str(resources.get("InstanceType", ""))
        kind = distribution_of(self.request)
        try:
            slices = share_gpus(
                gpus, instance_gpus(instance_type), len(self.contracts), instance_type
            )
            if kind == "none":
                return slices, None
            nproc = processes_per_host(self.request, len(slices[0]), neurons)
            if kind == "mpi":
                return slices, self.mpi_plan(python, nproc)
        except DistributionRefused as exc:
            raise JobFailed(f"ClientError: {exc}") from exc
        plan = TorchPlan(len(self.contracts), nproc, free_port(), has_torchrun(python), self.name)
        return slices, plan

    def mpi_plan(self, python: str, per_host: int) -> MpiPlan:
        """algo-1's mpirun for every host's ranks. Raises `DistributionRefused` when mpirun
        is gone or the settings can't run (checked at submit too)."""
        if (problem := mpirun_problem()) is not None:
            raise DistributionRefused(problem)
        try:
            processes = process_count(self.request, len(self.contracts) * per_host)
        except ValueError as exc:
            raise DistributionRefused(str(exc)) from None
        return MpiPlan(
            hosts=len(self.contracts),
            per_host=per_host,
            processes=processes,
            mpirun=shutil.which("mpirun") or "mpirun",
            custom=mpi_setting(self.request, "sagemaker_mpi_custom_mpi_options") or "",
            mpi4py=has_module(python, "mpi4py"),
            ranks=self.folder / "mpi-ranks.json",
        )

    def wait(self, hosts: list[Host]) -> tuple[str, str | None]:
        """Run until every host's main process has ended, one fails, the job is stopped or
        MaxRuntimeInSeconds passes; then end every process of the job, as SageMaker ends a
        job's containers. Returns (outcome, failure reason)."""
        max_run = float(self.request.get("StoppingCondition", {}).get("MaxRuntimeInSeconds", 86400))
        deadline = time.monotonic() + max_run
        outcome: str | None = None
        failed: Host | None = None
        while outcome is None:
            self.track()
            codes = [h.process.poll() if h.process else 0 for h in hosts]
            ended = zip(hosts, codes, strict=True)
            failed = next((host for host, code in ended if code not in (None, 0)), None)
            if failed is not None:
                outcome = "Failed"
            elif all(code is not None for code in codes):
                outcome = "Completed"
            elif self.stop_requested.is_set():
                outcome = "Stopped"
            elif time.monotonic() > deadline:
                outcome = "MaxRuntimeExceeded"
            else:
                time.sleep(0.05)
        self.end_processes(hosts)
        return outcome, self.failure_reason(failed) if failed is not None else None

    def track(self) -> None:
        """Scan the job's processes; note new ones in supervisor.json, so a reader that
        finds this supervisor dead can still end them."""
        if self.tree.scan():
            self.store.note_processes(self.name, tree=dict(self.tree.seen))

    def end_processes(self, hosts: list[Host]) -> None:
        """SIGTERM to every process of the job that still runs (the hosts' main processes,
        their children, daemons that left the process group), SIGKILL to what is left
        after the grace period: a child that ignores SIGTERM gets it even once the main
        process has exited. Nothing of the job outlives it."""
        if self.tree.signal(signal.SIGTERM) == 0:
            return
        try:  # what the forced scan found, for a reader that outlives this supervisor
            self.store.note_processes(self.name, tree=dict(self.tree.seen))
        except (OSError, ServiceError):
            pass  # a full disk: this supervisor still ends them
        kill_at = time.monotonic() + STOP_GRACE
        give_up = kill_at + 10  # a process stuck in the kernel (state D) can't be waited for
        while True:
            for host in hosts:
                if host.process is not None:
                    host.process.poll()  # collect the main process's status: not running
            if not self.tree.running():
                return
            now = time.monotonic()
            if now > give_up:
                print(f"smtui local: still running after SIGKILL: {self.tree.running()}")
                return
            if now > kill_at:
                self.tree.signal(signal.SIGKILL)
            time.sleep(0.1)

    def failure_reason(self, host: Host) -> str:
        """SageMaker's FailureReason: `output/failure` if the script wrote one, else what the
        toolkit reports: the exit code, the last lines of output and the command. For mpi,
        the host is the failed rank's (mpirun runs on algo-1), and the rank comes first."""
        assert host.process is not None
        host.process.wait()
        for pump in host.pumps:
            pump.join(timeout=5)
        rank, contract = self.failed_rank() or ("", host.contract)
        for where in (contract, host.contract):
            failure = where.output_dir / "failure"
            if failure.is_file() and (text := failure.read_text(errors="replace").strip()):
                return f"AlgorithmError: {text}"
        code = host.process.returncode
        if code < 0:
            code_text = f"{code} (killed by {signal.Signals(-code).name})"
        else:
            code_text = str(code)
        message = "\n".join(host.output_tail)
        return (
            f"AlgorithmError: ExecuteUserScriptError:{' ' + rank if rank else ''}\n"
            f'ExitCode {code_text}\nErrorMessage "{message}"\n'
            f'Command "{shlex.join(host.command)}", exit code: {code_text} (on {contract.host})'
        )

    def failed_rank(self) -> tuple[str, HostContract] | None:
        """The first failed rank of an mpi job (what happened, its host), as its shim
        recorded it; None when no rank did."""
        try:
            record = json.loads((self.folder / FAILED_RANK).read_text())
        except (OSError, ValueError):
            return None
        found = [c for c in self.contracts if c.host == record.get("host")]
        return (str(record.get("what", "")), found[0]) if found else None

    def upload(self) -> dict[str, Any]:
        """Every host's model/ and output/data/ as tarballs in the local bucket; checkpoints
        back to their S3 location. Returns the ModelArtifacts field."""
        output = self.request.get("OutputDataConfig", {}).get("S3OutputPath", "")
        if not output:
            return {}
        base = str(S3Uri.parse(output).folder) + f"{self.name}/output/"
        model_uri = base + "model.tar.gz"
        self.write_tarball(model_uri, [c.model_dir for c in self.contracts])
        if any(any(c.output_dir.joinpath("data").iterdir()) for c in self.contracts):
            self.write_tarball(
                base + "output.tar.gz", [c.output_dir / "data" for c in self.contracts]
            )
        if self.checkpoints is not None:
            self.checkpoints.upload()  # what changed since the last background copy
        return {"ModelArtifacts": {"S3ModelArtifacts": model_uri}}

    def write_tarball(self, uri: str, folders: list[Path]) -> None:
        """One tar.gz of every host's folder merged, as SageMaker aggregates them (see
        `outputs`), streamed to disk atomically; clashing names are reported in the log."""
        hosts = [c.host for c in self.contracts]
        clashes: list[str] = []

        def write(handle: BinaryIO) -> None:
            clashes[:] = write_merged_tar(handle, list(zip(hosts, folders, strict=True)))

        write_atomically(self.storage.path_of(uri), write)
        if clashes:
            with self.log_paths[hosts[0]].open("a", encoding="utf-8") as log:
                for clash in clashes:
                    log.write(log_record(int(time.time() * 1000), 0, f"smtui local: {clash}"))


def launch(folder: Path) -> None:
    """Fork; the parent notes the child's pid and exits, the child supervises the job."""
    store = JobStore(folder.parent.parent)
    name = folder.name
    child = os.fork()
    if child:
        store.note_processes(name, pid=child, start=process_start(child))
        os._exit(0)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # What the job writes (its logs, hyperparameters.json, its model and checkpoints) is the
    # user's alone, as in a SageMaker container: 0600 files, 0700 folders.
    os.umask(0o077)
    reserve_reason(folder)
    supervisor = Supervisor(store, name)
    signal.signal(signal.SIGTERM, lambda *_: supervisor.stop_requested.set())
    supervisor.run()


if __name__ == "__main__":
    launch(Path(sys.argv[1]))
