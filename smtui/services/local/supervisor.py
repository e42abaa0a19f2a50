"""The supervisor of one local training job: `python -m smtui.services.local.supervisor DIR`.

It forks at once; the parent notes the child's pid in `supervisor.json` and exits, so
whoever started it (the CLI, the TUI) can return, and the job lives on without them, as it
would on SageMaker. The child then, for every host `algo-1..N`:

1. Downloading: builds the host's `/opt/ml`-shaped tree, stages each channel from the local
   bucket and unpacks the code bundle;
2. Training: runs the entry point with the toolkit's environment and argv, every output line
   timestamped into the host's log stream; a host that fails ends the others, as on
   SageMaker; SIGTERM (from `smtui stop`) or MaxRuntimeInSeconds sends SIGTERM to every
   host's process group and SIGKILL after a grace period;
3. Uploading: tars every host's `model/` into `outputs/<job>/output/model.tar.gz` (and
   `output/data/` into `output.tar.gz`) in the local bucket;

and records each secondary status and the end: Completed, Failed with the reason from
`output/failure` (else the exit code and the last lines of stderr), or Stopped.
"""

from __future__ import annotations

import collections
import functools
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tarfile
import threading
import time
import traceback
from pathlib import Path
from typing import IO, Any, BinaryIO

from smtui.core.hyperparams import toolkit_value
from smtui.services.archives import extract_safely
from smtui.services.errors import NotFound, ServiceFailed
from smtui.services.local.contract import HostContract, count_gpus, host_names
from smtui.services.local.storage import LocalStorage, write_atomically
from smtui.services.local.store import (
    JobStore,
    enter_secondary,
    finish,
    now_iso,
    process_start,
)
from smtui.services.s3uri import S3Uri

CHECKPOINT_EVERY = float(os.environ.get("SMTUI_LOCAL_CHECKPOINT_EVERY", "2"))
"""Seconds between copies of what changed in checkpoints/ to the checkpoint S3 URI."""
STOP_GRACE = float(os.environ.get("SMTUI_LOCAL_STOP_GRACE", "10"))
"""Seconds between SIGTERM and SIGKILL (SageMaker gives 120; a local job is smaller)."""
STDERR_TAIL = 10
INSTALL_FLAG = "SMTUI_INSTALL_REQUIREMENTS"
"""An Environment variable of the job: install code/requirements.txt before running."""


class JobFailed(Exception):
    """The job cannot go on; the message is its FailureReason."""


class Host:
    """One running host: its process, its log stream and the end of its stderr."""

    def __init__(self, contract: HostContract, log_path: Path, command: list[str]) -> None:
        self.contract = contract
        self.command = command
        self.log = log_path.open("a", encoding="utf-8")
        self.lock = threading.Lock()
        self.stderr_tail: collections.deque[str] = collections.deque(maxlen=STDERR_TAIL)
        self.process: subprocess.Popen[bytes] | None = None
        self.pumps: list[threading.Thread] = []

    def write(self, line: str) -> None:
        """One log event, stamped now."""
        with self.lock:
            self.log.write(f"{int(time.time() * 1000)}\t{line}\n")
            self.log.flush()

    def start(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            self.command,
            cwd=self.contract.code_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group, for stop
        )
        for pipe, tail in ((self.process.stdout, None), (self.process.stderr, self.stderr_tail)):
            pump = threading.Thread(target=self._pump, args=(pipe, tail), daemon=True)
            pump.start()
            self.pumps.append(pump)

    def _pump(self, pipe: IO[bytes], tail: collections.deque[str] | None) -> None:
        for raw in iter(pipe.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            self.write(line)
            if tail is not None:
                tail.append(line)

    def signal(self, sig: signal.Signals) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                pass

    def finish(self) -> None:
        for pump in self.pumps:
            pump.join(timeout=5)
        self.log.close()


class Checkpoints:
    """SageMaker's checkpoint contract on this machine: what the checkpoint S3 URI holds is
    in every host's `checkpoints/` before the script starts (so a retried or resubmitted
    job resumes), and what the script writes there is copied back while it runs, every
    `CHECKPOINT_EVERY` seconds, and once more at the end."""

    def __init__(self, storage: LocalStorage, uri: str, folders: list[Path]) -> None:
        self.storage = storage
        self.where = S3Uri.parse(uri).folder
        self.folders = folders
        self._sent: dict[Path, tuple[int, int]] = {}
        """Each file's (size, mtime) when last copied: unchanged files are not copied again."""

    def restore(self) -> int:
        """Copy the URI's objects into every host's folder; returns how many objects."""
        try:
            objects = self.storage.walk(self.where)
        except NotFound:
            return 0
        for folder in self.folders:
            for dest in copy_down(objects, self.where.key, folder):
                self._sent[dest] = _signature(dest)
        return len(objects)

    def upload(self) -> int:
        """Copy every file written or changed since the last call; returns how many."""
        copied = 0
        for folder in self.folders:
            for path in sorted(folder.rglob("*")):
                try:
                    if not path.is_file():
                        continue
                    signature = _signature(path)
                    if self._sent.get(path) == signature:
                        continue
                    key = path.relative_to(folder).as_posix()
                    with path.open("rb") as source:
                        copy = functools.partial(shutil.copyfileobj, source)
                        write_atomically(self.storage.path_of(f"{self.where}{key}"), copy)
                except FileNotFoundError:
                    continue  # removed while being copied: the script moved on
                self._sent[path] = signature
                copied += 1
        return copied

    def keep_uploading(self, done: threading.Event) -> threading.Thread:
        """Copy changes in the background until `done` is set."""

        def loop() -> None:
            while not done.wait(CHECKPOINT_EVERY):
                try:
                    self.upload()
                except OSError:
                    traceback.print_exc()  # to the supervisor's log; the final copy retries

        thread = threading.Thread(target=loop, name="checkpoints", daemon=True)
        thread.start()
        return thread


def copy_down(objects: list[tuple[str, Path]], prefix: str, target: Path) -> list[Path]:
    """Copy (key, file) objects under the key `prefix` into `target`, each at its key below
    the prefix (an object named by the whole prefix keeps its own name); the files written."""
    written = []
    for key, path in objects:
        dest = target / (key[len(prefix) :].lstrip("/") or Path(key).name)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)
        written.append(dest)
    return written


def _signature(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


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
        def change(state: dict[str, Any]) -> None:
            state.update(fields)
            finish(state, status, secondary, message, reason)

        self.store.update(self.name, change)

    # --- the run -------------------------------------------------------------------------

    def run(self) -> None:
        try:
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
        except JobFailed as exc:
            self.end("Failed", "Failed", "Training job failed", str(exc))
        except Exception as exc:  # noqa: BLE001 - any bug must still end the job, not hang it
            traceback.print_exc()
            self.end("Failed", "Failed", "Training job failed",
                     f"InternalServerError: the local supervisor failed: {exc}")  # fmt: skip

    def prepare(self) -> None:
        """Build every host's tree, stage its channels and unpack the code."""
        (self.folder / "logs").mkdir(exist_ok=True)
        for contract in self.contracts:
            self.log_paths[contract.host].touch()
            contract.build_tree()
            self.stage_channels(contract)
            self.unpack_code(contract)
        if self.checkpoints is not None:
            self.restored = self.checkpoints.restore()

    def stage_channels(self, contract: HostContract) -> None:
        hosts = contract.hosts
        for channel in self.request.get("InputDataConfig", []):
            source = channel.get("DataSource", {}).get("S3DataSource", {})
            uri = source.get("S3Uri", "")
            if source.get("S3DataType", "S3Prefix") != "S3Prefix":
                raise JobFailed(
                    f"ClientError: channel '{channel['ChannelName']}': the local backend "
                    f"stages S3Prefix data only, not {source.get('S3DataType')}"
                )
            where = S3Uri.parse(uri)
            try:
                objects = self.storage.walk(where)
            except NotFound:
                objects = []
            if not objects:
                raise JobFailed(
                    f'ClientError: No S3 objects found under S3 URL "{uri}" given in input '
                    f"data source (channel '{channel['ChannelName']}'). Please ensure that "
                    "objects exist under that S3 prefix (local bucket "
                    f"{self.storage.root / where.bucket})"
                )
            if source.get("S3DataDistributionType") == "ShardedByS3Key":
                objects = objects[hosts.index(contract.host) :: len(hosts)]
            copy_down(objects, where.key, contract.channel_dir(channel["ChannelName"]))

    def unpack_code(self, contract: HostContract) -> None:
        bundle = self.request.get("HyperParameters", {}).get("sagemaker_submit_directory")
        if not bundle:
            return  # a ContainerEntrypoint job brings its code in a channel
        uri = str(toolkit_value(bundle))
        path = self.storage.path_of(uri)
        if not path.is_file():
            raise JobFailed(f"ClientError: the code bundle {uri} does not exist ({path})")
        try:
            # Anyone who can write the bucket can replace the bundle: unpack it within the
            # same budget as model artifacts (sizes, members, ratio, no sparse or links out).
            extract_safely(path, contract.code_dir)
        except (ServiceFailed, OSError) as exc:
            raise JobFailed(f"ClientError: cannot unpack the code bundle {uri}: {exc}") from exc

    def train(self) -> tuple[str, str | None]:
        """Run every host to the end. Returns (outcome, failure reason)."""
        python = os.environ.get("SMTUI_LOCAL_PYTHON") or sys.executable
        gpus = count_gpus()
        image = self.request.get("AlgorithmSpecification", {}).get("TrainingImage", "")
        hosts: list[Host] = []
        for contract in self.contracts:
            host = Host(contract, self.log_paths[contract.host], contract.command(python))
            host.write(
                f"smtui local: host {contract.host} of {len(self.contracts)} runs on this "
                f"machine, without a container (image {image or '-'} is not used)"
            )
            if self.checkpoints is not None:
                host.write(
                    f"smtui local: checkpoints/ ({contract.checkpoint_dir}) holds "
                    f"{self.restored} file(s) from {self.checkpoints.where}; what the script "
                    f"writes there is copied back every {CHECKPOINT_EVERY:g} s"
                )
            if (contract.code_dir / "requirements.txt").exists():
                self.requirements(host, python)
            host.write("Invoking script with the following command:")
            host.write(shlex.join(host.command))
            env = os.environ | contract.environment(gpus)
            try:
                host.start(env)
            except OSError as exc:
                host.write(f"smtui local: cannot start {host.command[0]}: {exc}")
                for started in hosts:
                    started.signal(signal.SIGKILL)
                raise JobFailed(f"AlgorithmError: cannot start the entry point: {exc}") from exc
            hosts.append(host)
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
        try:
            outcome, reason = self.wait(hosts)
        finally:
            done.set()
            if copier is not None:
                copier.join()
        for host in hosts:
            host.finish()
        return outcome, reason

    def requirements(self, host: Host, python: str) -> None:
        """SageMaker's toolkit pip-installs code/requirements.txt; here that changes the
        user's own environment, so only when the job's Environment asks for it."""
        wanted = self.request.get("Environment", {}).get(INSTALL_FLAG, "").lower()
        if wanted not in ("1", "true", "yes"):
            host.write(
                "smtui local: code/requirements.txt is not installed (it would change "
                f"{python}'s environment); set environment: {{{INSTALL_FLAG}: 'true'}} "
                "in the config to install it"
            )
            return
        command = [python, "-m", "pip", "install", "-r", "requirements.txt"]
        host.write("smtui local: " + shlex.join(command))
        done = subprocess.run(
            command, cwd=host.contract.code_dir, capture_output=True, text=True, check=False
        )
        for line in (done.stdout + done.stderr).splitlines():
            host.write(line)
        if done.returncode != 0:
            raise JobFailed(
                f"AlgorithmError: pip install -r requirements.txt failed (exit code "
                f"{done.returncode}): {done.stderr.strip()[-500:]}"
            )

    def wait(self, hosts: list[Host]) -> tuple[str, str | None]:
        max_run = float(self.request.get("StoppingCondition", {}).get("MaxRuntimeInSeconds", 86400))
        deadline = time.monotonic() + max_run
        outcome: str | None = None
        reason: str | None = None
        kill_at: float | None = None
        while True:
            codes = [h.process.poll() if h.process else 0 for h in hosts]
            if all(code is not None for code in codes):
                break
            if outcome is None:
                failed = next(
                    (h for h, c in zip(hosts, codes, strict=True) if c not in (None, 0)), None
                )
                if failed is not None:
                    outcome, reason = "Failed", self.failure_reason(failed)
                elif self.stop_requested.is_set():
                    outcome = "Stopped"
                elif time.monotonic() > deadline:
                    outcome = "MaxRuntimeExceeded"
                if outcome is not None:  # end the others: SIGTERM now, SIGKILL after grace
                    for host in hosts:
                        host.signal(signal.SIGTERM)
                    kill_at = time.monotonic() + STOP_GRACE
            elif kill_at is not None and time.monotonic() > kill_at:
                for host in hosts:
                    host.signal(signal.SIGKILL)
                kill_at = None
            time.sleep(0.05)
        if outcome is None:
            failed = next((h for h in hosts if h.process and h.process.returncode != 0), None)
            if failed is not None:
                outcome, reason = "Failed", self.failure_reason(failed)
            else:
                outcome = "Completed"
        return outcome, reason

    def failure_reason(self, host: Host) -> str:
        """SageMaker's FailureReason: `output/failure` if the script wrote one, else what the
        toolkit reports: the exit code, the last lines of stderr and the command."""
        assert host.process is not None
        host.process.wait()
        for pump in host.pumps:
            pump.join(timeout=5)
        failure = host.contract.output_dir / "failure"
        if failure.is_file() and (text := failure.read_text(errors="replace").strip()):
            return f"AlgorithmError: {text}"
        code = host.process.returncode
        if code < 0:
            code_text = f"{code} (killed by {signal.Signals(-code).name})"
        else:
            code_text = str(code)
        message = "\n".join(host.stderr_tail)
        return (
            f"AlgorithmError: ExecuteUserScriptError:\nExitCode {code_text}\n"
            f'ErrorMessage "{message}"\nCommand "{shlex.join(host.command)}", '
            f"exit code: {code_text} (on {host.contract.host})"
        )

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
        """One tar.gz of several hosts' folders merged (SageMaker aggregates them the same
        way: names that clash are the script's problem), streamed to disk atomically."""

        def write(handle: BinaryIO) -> None:
            with tarfile.open(fileobj=handle, mode="w:gz") as tar:
                for folder in folders:
                    for item in sorted(folder.rglob("*")):
                        if item.is_file():
                            tar.add(item, arcname=item.relative_to(folder).as_posix())

        write_atomically(self.storage.path_of(uri), write)


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
    supervisor = Supervisor(store, name)
    signal.signal(signal.SIGTERM, lambda *_: supervisor.stop_requested.set())
    supervisor.run()


if __name__ == "__main__":
    launch(Path(sys.argv[1]))
