"""smtui's stand-in for torchrun, for a job whose Python has no torch:
`python -m smtui.services.local.launcher --nnodes N --nproc_per_node P --master_addr A
--master_port M --node_rank R --run_id ID -- python train.py ARGS`.

It starts the host's P processes with the variables torchrun gives each worker (`RANK`,
`LOCAL_RANK`, `WORLD_SIZE`, `LOCAL_WORLD_SIZE`, `GROUP_RANK`, `ROLE_*`, `MASTER_ADDR`,
`MASTER_PORT`, `TORCHELASTIC_*`, and `OMP_NUM_THREADS=1` when several share the host),
all writing to the launcher's own output, as torchrun's workers do. Like torchrun's agent
(with no restarts), when one worker fails it stops the others and exits with that
worker's code, its last line naming the rank and host; SIGTERM is passed on to every worker.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from types import FrameType

GRACE = 5.0
"""Seconds the other workers get between SIGTERM and SIGKILL when one has failed."""


def worker_environment(args: argparse.Namespace, local_rank: int) -> dict[str, str]:
    """One worker's environment: the launcher's own plus torchrun's variables."""
    world = args.nnodes * args.nproc_per_node
    rank = args.node_rank * args.nproc_per_node + local_rank
    env = dict(os.environ)
    if args.nproc_per_node > 1 and "OMP_NUM_THREADS" not in env:
        env["OMP_NUM_THREADS"] = "1"  # torchrun's default, so workers don't oversubscribe
    return env | {
        "RANK": str(rank),
        "LOCAL_RANK": str(local_rank),
        "WORLD_SIZE": str(world),
        "LOCAL_WORLD_SIZE": str(args.nproc_per_node),
        "GROUP_RANK": str(args.node_rank),
        "GROUP_WORLD_SIZE": str(args.nnodes),
        "ROLE_RANK": str(rank),
        "ROLE_WORLD_SIZE": str(world),
        "ROLE_NAME": "default",
        "MASTER_ADDR": args.master_addr,
        "MASTER_PORT": str(args.master_port),
        "TORCHELASTIC_RUN_ID": args.run_id,
        "TORCHELASTIC_RESTART_COUNT": "0",
        "TORCHELASTIC_MAX_RESTARTS": "0",
        "TORCHELASTIC_USE_AGENT_STORE": "False",
    }


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="smtui-launcher")
    parser.add_argument("--nnodes", type=int, required=True)
    parser.add_argument("--nproc_per_node", type=int, required=True)
    parser.add_argument("--master_addr", required=True)
    parser.add_argument("--master_port", type=int, required=True)
    parser.add_argument("--node_rank", type=int, required=True)
    parser.add_argument("--run_id", default="none")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.command[:1] == ["--"]:
        args.command = args.command[1:]
    if not args.command:
        parser.error("no command to run")
    return args


def stop(workers: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM to every worker still running, SIGKILL after the grace period."""
    for worker in workers:
        if worker.poll() is None:
            worker.terminate()
    deadline = time.monotonic() + GRACE
    for worker in workers:
        try:
            worker.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def main(argv: list[str]) -> int:
    args = parse(argv)
    host = os.environ.get("SM_CURRENT_HOST", f"node {args.node_rank}")
    workers = [
        subprocess.Popen(args.command, env=worker_environment(args, local_rank))
        for local_rank in range(args.nproc_per_node)
    ]
    stopping: list[int] = []

    def on_term(signum: int, _frame: FrameType | None) -> None:
        stopping.append(signum)

    signal.signal(signal.SIGTERM, on_term)
    while True:
        if stopping:
            stop(workers)
            return 128 + signal.SIGTERM
        codes = [w.poll() for w in workers]
        failed = next((i for i, code in enumerate(codes) if code not in (None, 0)), None)
        if failed is not None:
            stop(workers)
            code = workers[failed].returncode
            rank = args.node_rank * args.nproc_per_node + failed
            how = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
            print(
                f"smtui launcher: rank {rank} (local rank {failed}) on {host} failed: {how}; "
                "the other workers were stopped",
                file=sys.stderr,
                flush=True,
            )
            return code if code > 0 else 128 - code
        if all(code == 0 for code in codes):
            return 0
        time.sleep(0.05)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
