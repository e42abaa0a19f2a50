"""The catalogue of SageMaker training instance types, shipped as package data.

Facts (vCPU, memory, accelerators, us-east-1 on-demand price) live in
`data/instances.json`; this module only loads and queries them.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class InstanceType:
    """One SageMaker training instance type."""

    name: str
    family: str
    vcpu: int
    memory_gib: int
    accelerator: str | None
    """Accelerator model (`NVIDIA A10G`, `AWS Trainium`), or None for CPU-only types."""
    accelerator_count: int
    accelerator_memory_gib: int
    """Memory of one accelerator."""
    price_per_hour: float | None
    """On-demand training price in USD for us-east-1, or None when not listed."""

    @property
    def has_gpu(self) -> bool:
        """Whether the type has accelerators (GPUs or Trainium) for training."""
        return self.accelerator_count > 0

    @property
    def total_accelerator_memory_gib(self) -> int:
        return self.accelerator_count * self.accelerator_memory_gib


@dataclass(frozen=True)
class Catalogue:
    """All known instance types, with the facts about where they came from."""

    instances: tuple[InstanceType, ...]
    region: str
    compiled: str
    about: str

    def get(self, name: str) -> InstanceType | None:
        return _index(self).get(name)

    def closest(self, name: str, n: int = 3) -> list[str]:
        """The known names closest to `name` (for "did you mean" messages)."""
        names = [i.name for i in self.instances]
        guess = name if name.startswith("ml.") else f"ml.{name}"
        if guess in names:
            return [guess]
        matches = difflib.get_close_matches(guess, names, n=n, cutoff=0.6)
        family = guess.split(".")[1] if guess.count(".") >= 1 else ""
        same_family = [i for i in names if i.split(".")[1] == family and i not in matches]
        return (matches + same_family)[:n]

    def filter(self, gpu_only: bool = False, family: str | None = None) -> list[InstanceType]:
        return [
            i
            for i in self.instances
            if (not gpu_only or i.has_gpu) and (family is None or i.family == family)
        ]


@cache
def _index(catalogue: Catalogue) -> dict[str, InstanceType]:
    return {i.name: i for i in catalogue.instances}


def _size_order(name: str) -> tuple[str, int]:
    family, size = name.split(".")[1:3]
    if size == "large":
        return family, 0
    match = re.fullmatch(r"(\d*)xlarge", size)
    return family, int(match.group(1) or 1) if match else 10_000


@cache
def load_catalogue() -> Catalogue:
    """Load the catalogue shipped with smtui (cached)."""
    raw = json.loads(resources.files("smtui.core").joinpath("data/instances.json").read_text())
    items = sorted(
        (InstanceType(**item) for item in raw["instances"]), key=lambda i: _size_order(i.name)
    )
    return Catalogue(tuple(items), raw["region"], raw["compiled"], raw["_about"])


def check_instance_type(value: object) -> str:
    """Config checker: a known training instance type, else an error naming the closest."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"must be an instance type name such as ml.g5.xlarge, got {value!r}")
    catalogue = load_catalogue()
    if catalogue.get(value) is None:
        near = catalogue.closest(value)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise ValueError(f"'{value}' is not a known SageMaker training instance type{hint}")
    return value
