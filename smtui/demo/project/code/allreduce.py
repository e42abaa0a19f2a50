"""Every rank of a multi-node torch_distributed job meets at the rendezvous and sums a number.

Run under torchrun (or smtui's launcher, which sets the same variables): each process reads
RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT, contributes rank + 1, and gets
the sum back, with the list of ranks that took part. With torch installed it uses
torch.distributed's gloo backend; without it, a plain TCP all-reduce at the master's port.
Each rank saves what it saw in SM_MODEL_DIR/rank-<N>.json.
"""

import argparse
import json
import os
import socket
import sys
import time


def tcp_all_reduce(value, rank, world, addr, port):
    """Rank 0 collects every rank's value over TCP and sends back the sum."""
    if rank == 0:
        server = socket.create_server((addr, port))
        server.settimeout(120)
        peers, total, ranks = [], value, [0]
        while len(peers) < world - 1:
            conn, _ = server.accept()
            message = json.loads(conn.makefile().readline())
            total += message["value"]
            ranks.append(message["rank"])
            peers.append(conn)
        reply = (json.dumps({"sum": total, "ranks": sorted(ranks)}) + "\n").encode()
        for conn in peers:
            conn.sendall(reply)
            conn.close()
        server.close()
        return {"sum": total, "ranks": sorted(ranks)}
    deadline = time.time() + 120
    while True:
        try:
            conn = socket.create_connection((addr, port), timeout=5)
            break
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.1)  # rank 0 may not listen yet
    conn.sendall((json.dumps({"rank": rank, "value": value}) + "\n").encode())
    return json.loads(conn.makefile().readline())


def torch_all_reduce(value, rank, world):
    import torch
    import torch.distributed as dist

    dist.init_process_group("gloo")
    tensor = torch.tensor([float(value)])
    dist.all_reduce(tensor)
    ranks = [None] * world
    dist.all_gather_object(ranks, rank)
    dist.destroy_process_group()
    return {"sum": int(tensor.item()), "ranks": sorted(ranks)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fail-rank", "--fail_rank", type=int, default=-1)
    args, _ = parser.parse_known_args()
    rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    local_rank = int(os.environ["LOCAL_RANK"])
    host = os.environ.get("SM_CURRENT_HOST", "?")
    try:
        import torch.distributed  # noqa: F401

        result = torch_all_reduce(rank + 1, rank, world)
    except ImportError:
        result = tcp_all_reduce(
            rank + 1, rank, world, os.environ["MASTER_ADDR"], int(os.environ["MASTER_PORT"])
        )
    # One write per line: the host's ranks share one output, and with PYTHONUNBUFFERED
    # print() writes the text and its newline separately, so two ranks' lines could mix.
    sys.stdout.write(
        f"rank {rank}/{world} on {host} (local rank {local_rank}): "
        f"all-reduce sum={result['sum']} ranks={result['ranks']}\n"
    )
    sys.stdout.flush()
    seen = {
        "rank": rank, "world": world, "local_rank": local_rank, "host": host, "pid": os.getpid(),
        "local_world": int(os.environ["LOCAL_WORLD_SIZE"]),
        "group_rank": int(os.environ["GROUP_RANK"]),
        "master": f"{os.environ['MASTER_ADDR']}:{os.environ['MASTER_PORT']}",
        **result,
    }
    with open(os.path.join(os.environ["SM_MODEL_DIR"], f"rank-{rank}.json"), "w") as out:
        json.dump(seen, out)
    if args.fail_rank >= 0:
        if rank == args.fail_rank:
            sys.stderr.write(f"rank {rank}: failing on purpose\n")
            sys.exit(3)
        time.sleep(300)  # the others wait to be stopped, as ranks blocked on a peer would


if __name__ == "__main__":
    main()
