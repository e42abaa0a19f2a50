"""`smtui instances`: the instance catalogue as a table or JSON."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys

from smtui.cli.render import table
from smtui.core.errors import UsageError
from smtui.core.instances import InstanceType, load_catalogue


def _row(i: InstanceType) -> list[str]:
    accel = f"{i.accelerator_count}x {i.accelerator}" if i.accelerator else "-"
    memory = f"{i.accelerator_memory_gib} GiB" if i.accelerator else "-"
    price = f"${i.price_per_hour:.3f}" if i.price_per_hour is not None else "n/a"
    return [i.name, accel, memory, str(i.vcpu), f"{i.memory_gib} GiB", price]


def run(args: argparse.Namespace) -> int:
    catalogue = load_catalogue()
    found = catalogue.filter(gpu_only=args.gpu, family=args.family)
    if args.family and not found:
        families = sorted({i.family for i in catalogue.instances})
        raise UsageError(f"--family: unknown family '{args.family}'; known: {', '.join(families)}")
    if args.json:
        print(json.dumps([dataclasses.asdict(i) for i in found], indent=2))
        return 0
    header = ["TYPE", "ACCELERATORS", "MEM/ACCEL", "VCPU", "RAM", "PRICE/H"]
    for line in table([header] + [_row(i) for i in found], indent=""):
        print(line)
    print(
        f"\nprices: on-demand training, {catalogue.region}, compiled {catalogue.compiled}",
        file=sys.stderr,
    )
    return 0
